"""The history shows every change of a long text and no change that is none."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from programmes.models import Programme
from tests.forms import programme_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:programmes_programme_add")
LONG = "\n\n".join(
    f"Absatz {number}: Der Kreis berät Familien, vermittelt Sprachkurse und begleitet "
    f"Ehrenamtliche in den Gemeinden, jede Woche an einem anderen Ort."
    for number in range(1, 8)
)


def history_page(client, programme):
    url = reverse("admin:programmes_programme_history", args=[programme.pk])
    return client.get(url).content.decode()


def test_a_browser_save_of_unchanged_texts_shows_no_change(client, staff_a, county_a):
    client.force_login(staff_a)
    client.post(ADD_URL, programme_form(county_a, description=LONG, goals="- eins\n- zwei"))
    programme = Programme.objects.get()
    assert "\r" not in programme.description
    # A browser sends every line break of a textarea as \r\n.
    client.post(
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        programme_form(
            county_a,
            description=LONG.replace("\n", "\r\n"),
            goals="- eins\r\n- zwei",
        ),
    )
    programme.refresh_from_db()
    assert "\r" not in programme.description and "\r" not in programme.goals
    latest, first = programme.history.order_by("-history_date", "-history_id")[:2]
    from programmes.history import changes

    assert [change.label for change in changes(latest, first)] == []


def test_a_sentence_added_at_the_end_of_a_long_text_is_shown_marked(client, staff_a, county_a):
    client.force_login(staff_a)
    client.post(ADD_URL, programme_form(county_a, description=LONG))
    programme = Programme.objects.get()
    client.post(
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        programme_form(
            county_a,
            description=LONG + " Neu ist die Sprechstunde am Samstag.",
        ),
    )
    page = history_page(client, programme)
    assert "<ins>" in page and "Neu ist die Sprechstunde am Samstag.</ins>" in page
    assert "unveränderte Wörter" in page  # the long unchanged middle is folded
    assert "Absatz 7" in page  # the words next to the change stay visible
    assert "eingefügt:" in page  # said to screen readers, not only coloured


def test_editors_recent_changes_show_the_changed_words(client, editor, county_a):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(county=county_a, description=LONG)
    client.force_login(editor)
    client.post(
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        programme_form(
            county_a,
            title=programme.title,
            slug=programme.slug,
            description=LONG.replace("Absatz 4", "Abschnitt 4"),
        ),
    )
    start = client.get(reverse("admin:index")).content.decode()
    assert "Abschnitt</ins>" in start and "Absatz</del>" in start


def test_the_migration_normalises_stored_texts_and_their_history(county_a):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(county=county_a, description="Eins.")
    Programme.objects.filter(pk=programme.pk).update(description="Eins.\r\nZwei.\rDrei.")
    programme.history.update(description="Alt.\r\nText.")
    module = importlib.import_module("portal.migrations.0006_normalise_line_breaks")
    module.normalise(apps, None)
    programme.refresh_from_db()
    assert programme.description == "Eins.\nZwei.\nDrei."
    assert {record.description for record in programme.history.all()} == {"Alt.\nText."}


def test_the_diff_escapes_what_staff_typed():
    from portal.text_diff import word_diff

    html = word_diff("Ein <b>Text</b> " * 20, "Ein <i>Text</i> " * 20)
    assert "<b>" not in html and "<i>" not in html and "&lt;i&gt;" in html
