"""The small traps staff fell into in the programme form."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import ProgrammeFactory
from tests.forms import programme_form
from tests.test_staff_work import _png_upload

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:programmes_programme_add")
CHANGELIST = reverse("admin:programmes_programme_changelist")


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_submit_for_review_is_at_the_top_and_the_bottom(client, staff_a, county_a):
    programme = ProgrammeFactory(county=county_a, draft=True)
    client.force_login(staff_a)
    page = client.get(reverse("admin:programmes_programme_change", args=[programme.pk]))
    assert page.content.decode().count('name="_submit_for_review"') == 2


def test_a_form_with_errors_says_the_image_must_be_chosen_again(client, staff_a, county_a):
    client.force_login(staff_a)
    response = client.post(
        ADD_URL, programme_form(county_a, title="", image=_png_upload(), image_alt="Rot")
    )
    assert response.status_code == 200  # the form again, with its errors
    assert any("wählen Sie das Bild erneut aus" in message for message in said(response))


def test_confirming_says_confirmed_as_current(client, staff_a, county_a):
    one, two = ProgrammeFactory.create_batch(2, county=county_a)
    client.force_login(staff_a)
    url = reverse("admin:programmes_programme_workflow", args=[one.pk, "confirm"])
    assert said(client.post(url, follow=True)) == ["Als aktuell bestätigt."]
    response = client.post(
        CHANGELIST,
        {"action": "confirm_selected", "_selected_action": [one.pk, two.pk]},
        follow=True,
    )
    assert "2 Programme als aktuell bestätigt." in said(response)


def test_another_countys_programme_is_named_as_such_and_shown_not(client, staff_a, county_b):
    other = ProgrammeFactory(county=county_b, title="Geheimer Titel", draft=True)
    client.force_login(staff_a)
    response = client.get(
        reverse("admin:programmes_programme_change", args=[other.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert any("gehört zu einem anderen Kreis" in message for message in said(response))
    assert "Geheimer Titel" not in response.content.decode()
    missing = client.get(reverse("admin:programmes_programme_change", args=[999999]), follow=True)
    assert not any("anderen Kreis" in message for message in said(missing))
