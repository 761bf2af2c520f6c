"""Staff and editors see an unpublished programme as the public will, and nobody else."""

import pytest
from django.urls import reverse

from programmes.enums import PublicationState as State
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def preview_url(programme):
    return reverse("admin:programmes_programme_preview", args=[programme.pk])


@pytest.fixture
def submitted(county_a):
    return ProgrammeFactory(
        county=county_a,
        title="Lernwerkstatt Zukunftsplan",
        publication_state=State.SUBMITTED,
        published_at=None,
    )


def test_staff_preview_their_own_county_in_the_public_template(client, staff_a, submitted):
    client.force_login(staff_a)
    response = client.get(preview_url(submitted))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vorschau – nicht veröffentlicht (Eingereicht)" in html
    assert '<h1 class="kern-heading-x-large">Lernwerkstatt Zukunftsplan</h1>' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_editors_preview_every_county_and_staff_of_others_see_nothing(
    client, staff_b, editor, submitted
):
    client.force_login(staff_b)
    assert client.get(preview_url(submitted)).status_code == 404
    client.force_login(editor)
    assert client.get(preview_url(submitted)).status_code == 200


def test_the_public_cannot_open_a_preview(client, submitted):
    response = client.get(preview_url(submitted))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_previewed_programme_stays_out_of_public_lists_search_feeds_and_data(
    client, staff_a, submitted
):
    client.force_login(staff_a)
    client.get(preview_url(submitted))
    client.logout()
    found = client.get(reverse("programmes:programme-list"), {"q": "Zukunftsplan"})
    assert found.context["result_count"] == 0
    for url in [
        reverse("programmes:feed-all"),
        reverse("programmes:data-csv"),
        "/sitemap.xml",
    ]:
        response = client.get(url)
        content = b"".join(response) if response.streaming else response.content
        assert "Zukunftsplan" not in content.decode(), url


def test_form_and_review_queue_link_to_the_preview(client, staff_a, editor, submitted):
    client.force_login(staff_a)
    form = client.get(reverse("admin:programmes_programme_change", args=[submitted.pk]))
    assert preview_url(submitted) in form.content.decode()
    client.force_login(editor)
    start = client.get(reverse("admin:index")).content.decode()
    assert preview_url(submitted) in start
