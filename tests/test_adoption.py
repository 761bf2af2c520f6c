"""Taking a practice over ("In meinen Kreis übernehmen") and the lineage both ways."""

import pytest
from django.urls import reverse

from counties.models import CountyMembership
from programmes import services
from programmes.enums import PublicationState as State
from programmes.models import Programme
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(county_b):
    programme = ProgrammeFactory(
        county=county_b,
        title="Wohnraumlotsen",
        description="Lotsen vermitteln Wohnungen.",
        contact_name="Kim Muster",
        contact_email="kim@example.org",
        fields=["housing", "volunteering"],
    )
    programme.keywords.add("Wohnraum")
    BestPracticeFactory(programme=programme)
    return programme


def _taken_over(source, **fields):
    """A programme taken over from `source`, made directly (not through the button)."""
    return ProgrammeFactory(
        adapted_from=source,
        adapted_from_title=source.title,
        adapted_from_county=source.county.name,
        **fields,
    )


def _adopt(client, programme, county):
    return client.post(reverse("programmes:adopt", args=[programme.slug]), {"county": county.pk})


def test_staff_take_a_practice_over_as_a_linked_draft(client, staff_a, county_a, source):
    client.force_login(staff_a)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "In meinen Kreis übernehmen" in page
    before = source.history.count()

    response = _adopt(client, source, county_a)

    adopted = Programme.objects.get(adapted_from=source)
    assert response.status_code == 302
    assert response.url == reverse("admin:programmes_programme_change", args=[adopted.pk])
    assert adopted.county == county_a
    assert adopted.publication_state == State.DRAFT
    assert adopted.description == source.description
    assert adopted.contact_email == ""  # the contact person stays with the source
    assert set(adopted.fields_of_action.values_list("slug", flat=True)) == {
        "housing",
        "volunteering",
    }
    assert list(adopted.keywords.names()) == ["Wohnraum"]
    assert (adopted.adapted_from_title, adopted.adapted_from_county) == (
        "Wohnraumlotsen",
        source.county.name,
    )
    record = adopted.history.get()  # one record, with the relations and the lineage
    assert record.adapted_from_id == source.pk
    source.refresh_from_db()
    assert source.history.count() == before
    # A draft of another county does not appear on the source's page.
    assert "Übernommen von" not in client.get(source.get_absolute_url()).content.decode()


def test_staff_with_several_counties_choose(client, staff_a, county_a, source):
    third = CountyFactory(name="Landkreis Eiche")
    CountyMembership.objects.create(user=staff_a, county=third)
    client.force_login(staff_a)
    page = client.get(reverse("programmes:adopt", args=[source.slug])).content.decode()
    assert "Landkreis Ahorn" in page and "Landkreis Eiche" in page
    _adopt(client, source, third)
    assert Programme.objects.get(adapted_from=source).county == third


@pytest.mark.parametrize("target", ["county_b", "other"])
def test_a_forged_county_creates_nothing(client, staff_a, source, county_b, target):
    client.force_login(staff_a)
    county = county_b if target == "county_b" else CountyFactory()
    response = _adopt(client, source, county)
    assert response.status_code == 400
    assert "für den Sie arbeiten" in response.content.decode()
    assert not Programme.objects.filter(adapted_from=source).exists()


def test_bad_adoptions_get_clear_answers(client, staff_a, staff_b, source, county_a):
    assert _adopt(client, source, county_a).status_code == 302  # anonymous: to the login
    assert not Programme.objects.filter(adapted_from=source).exists()
    client.force_login(staff_a)
    assert client.post("/programme/gibt-es-nicht/uebernehmen/").status_code == 404
    draft = ProgrammeFactory(county=source.county, draft=True)
    assert _adopt(client, draft, county_a).status_code == 404
    client.force_login(staff_b)  # the source's own county
    response = client.post(reverse("programmes:adopt", args=[source.slug]), follow=True)
    assert "bereits zu Ihrem Kreis" in response.content.decode()
    assert not Programme.objects.filter(adapted_from=source).exists()


def test_submitting_needs_what_was_changed(staff_a, county_a, source):
    adopted = services.programme_adopt(programme=source, county=county_a, user=staff_a)
    with pytest.raises(services.WorkflowError, match="Was Ihr Kreis geändert hat"):
        services.programme_submit(programme=adopted, user=staff_a)
    adopted.adaptation_note = "Mit eigener Wohnungsbörse."
    adopted.save()
    services.programme_submit(programme=adopted, user=staff_a)
    assert adopted.publication_state == State.SUBMITTED


def test_publishing_a_takeover_tells_the_source_county(
    staff_a, staff_b, editor, county_a, source, mailoutbox, django_capture_on_commit_callbacks
):
    adopted = services.programme_adopt(programme=source, county=county_a, user=staff_a)
    adopted.adaptation_note = "Kleiner angefangen."
    adopted.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_publish(programme=adopted, user=editor)
    to_source = [m for m in mailoutbox if staff_b.email in m.to]
    assert len(to_source) == 1
    message = to_source[0]
    assert "übernommen" in message.subject
    assert adopted.get_absolute_url() in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and adopted.get_absolute_url() in html
    # Published again after an archive: no second mail.
    services.programme_archive(programme=adopted, user=editor)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_publish(programme=adopted, user=editor)
    assert not [m for m in mailoutbox if staff_b.email in m.to]


def test_lineage_shows_both_ways_and_as_a_chain(client, county_a, county_b, source):
    middle = _taken_over(
        source,
        county=county_a,
        title="Wohnraumlotsen Ahorn",
        adaptation_note="Mit Ehrenamtlichen.",
    )
    last = _taken_over(
        middle,
        county=CountyFactory(name="Landkreis Eiche"),
        title="Wohnraumlotsen Eiche",
    )
    page = client.get(last.get_absolute_url()).content.decode()
    assert "Angelehnt an:" in page and "das wiederum angelehnt ist an:" in page
    assert middle.get_absolute_url() in page and source.get_absolute_url() in page
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Übernommen von 1 Kreis:" in page and middle.get_absolute_url() in page
    page = client.get(middle.get_absolute_url()).content.decode()
    assert "Was der Kreis geändert hat:" in page and "Mit Ehrenamtlichen." in page

    # The source archived, then deleted: the pages keep its name and do not break.
    source.publication_state = State.ARCHIVED
    source.save()
    page = client.get(last.get_absolute_url()).content.decode()
    assert "nicht mehr veröffentlicht" not in page  # an archived page still answers
    source.delete()
    response = client.get(last.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Wohnraumlotsen (Landkreis Birke)" in page
    assert "nicht mehr veröffentlicht" in page


def test_a_loop_in_the_lineage_ends(county_a, county_b):
    first = ProgrammeFactory(county=county_a, adapted_from_title="x")
    second = ProgrammeFactory(county=county_b, adapted_from=first, adapted_from_title="y")
    Programme.objects.filter(pk=first.pk).update(adapted_from=second)
    first.refresh_from_db()
    assert len(first.lineage()) == 2


def test_lineage_in_open_data_feeds_and_statistics(client, county_a, source):
    adopted = _taken_over(
        source,
        county=county_a,
        title="Wohnraumlotsen Ahorn",
    )
    _taken_over(source, draft=True)
    import json

    rows = {
        row["slug"]: row
        for row in json.loads(client.get("/programme/daten.json").getvalue())["programmes"]
    }
    assert rows[source.slug]["adopted_by"] == [adopted.slug]  # the draft stays out
    assert rows[source.slug]["tried_in"] == [source.county.ags, county_a.ags]
    assert rows[adopted.slug]["adapted_from"] == source.slug
    feed = client.get("/feeds/programme/").content.decode()
    assert "Angelehnt an: Wohnraumlotsen" in feed
    tables = {t.slug: t for t in client.get("/statistik/").context["tables"]}
    assert tables["meist-uebernommen"].rows == [(f"Wohnraumlotsen ({source.county.name})", 1)]
    by_field = dict(tables["uebernahmen-nach-handlungsfeld"].rows)
    assert by_field["Wohnen"] == 1
    csv_text = client.get("/statistik/uebernahmen-nach-land.csv").content.decode("utf-8-sig")
    assert f"{county_a.state.name},1" in csv_text


def test_editors_see_how_often_a_profile_was_taken_over(client, editor, county_a, source):
    _taken_over(source, county=county_a)
    client.force_login(editor)
    response = client.get(
        reverse("admin:programmes_bestpracticeprofile_changelist") + "?o=7"  # by adoptions
    )
    assert response.status_code == 200
    assert "1 Kreis" in response.content.decode()


def _queries(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_programme_page_queries_do_not_grow_with_take_overs(client, staff_a, source):
    _taken_over(source)
    url = source.get_absolute_url()
    few = _queries(client, url)
    for _ in range(5):
        _taken_over(source)
    assert _queries(client, url) == few <= 22
    # Signed in: the take-over button's counties and the account's Merkliste.
    client.force_login(staff_a)
    assert _queries(client, url) <= few + 5


def test_texts_still_as_in_the_source_are_marked(client, staff_a, county_a, source):
    adopted = services.programme_adopt(programme=source, county=county_a, user=staff_a)
    client.force_login(staff_a)
    url = reverse("admin:programmes_programme_change", args=[adopted.pk])
    page = client.get(url).content.decode()
    assert "Noch wie im übernommenen Programm" in page and "Beschreibung" in page
    adopted.summary, adopted.description = "Eigene Kurzfassung.", "Eigene Beschreibung."
    adopted.save()
    assert "Noch wie im übernommenen Programm" not in client.get(url).content.decode()


def test_a_source_that_became_a_draft_shows_its_title_of_the_take_over(client, county_a, source):
    adopted = _taken_over(source, county=county_a, title="Wohnraumlotsen Ahorn")
    source.publication_state = State.DRAFT
    source.title = "Geheimer neuer Entwurfstitel"
    source.save()

    page = client.get(adopted.get_absolute_url()).content.decode()

    assert "Geheimer neuer Entwurfstitel" not in page
    assert f"{adopted.adapted_from_title} ({adopted.adapted_from_county})" in page
    assert "nicht mehr veröffentlicht" in page
    assert source.get_absolute_url() not in page
