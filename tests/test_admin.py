"""The admin is the editors' workplace: every page of every model opens and saves."""

import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from programmes.enums import PublicationState
from programmes.models import Programme
from tests.factories import BestPracticeFactory, FundingFactory, ProgrammeFactory
from tests.forms import field_ids, programme_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_every_registered_model_has_a_working_changelist(client, editor, administrator, counties):
    BestPracticeFactory()
    FundingFactory()
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        may_view = editor.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        user = editor if may_view else administrator
        editor_client = client
        editor_client.force_login(user)
        response = editor_client.get(url, {"q": "Kreis"})
        assert response.status_code == 200, url
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert editor_client.get(change).status_code == 200, change


def test_admin_is_german(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Kreise für Integration – Verwaltung" in page
    assert "Programme" in page


def test_publishing_in_the_admin_stamps_the_time(editor_client, counties):
    programme = ProgrammeFactory(draft=True)
    url = reverse("admin:programmes_programme_changelist")

    editor_client.post(url, {"action": "publish_selected", "_selected_action": [programme.pk]})

    programme.refresh_from_db()
    assert programme.publication_state == PublicationState.PUBLISHED
    assert programme.published_at is not None


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("bild.png", buffer.getvalue(), content_type="image/png")


def test_image_must_be_an_image_and_needs_alt_text(editor_client, counties):
    county = ProgrammeFactory().county
    data = programme_form(
        county, title="Neu", slug="neu", fields_of_action=field_ids(1), keywords=""
    )
    url = reverse("admin:programmes_programme_add")
    fake = SimpleUploadedFile("bild.png", b"not really an image", content_type="image/png")

    assert editor_client.post(url, {**data, "image": fake}).status_code == 200
    without_alt = editor_client.post(url, {**data, "image": _png()})
    assert "Beschreiben Sie das Bild" in without_alt.content.decode()
    assert not Programme.objects.filter(slug="neu").exists()

    response = editor_client.post(url, {**data, "image": _png(), "image_alt": "Ein blaues Feld"})

    assert response.status_code == 302
    created = Programme.objects.get(slug="neu")
    assert created.image_alt == "Ein blaues Feld"
    assert created.fields_of_action.count() == 1


def test_figures_in_the_staff_area_are_written_the_german_way(editor_client, counties):
    from counties.models import County

    page = editor_client.get(reverse("admin:counties_county_changelist"), {"q": "Neuss"})
    assert "451.007" in page.content.decode()
    neuss = County.objects.get(ags="05162")
    form = editor_client.get(reverse("admin:counties_county_change", args=[neuss.pk]))
    assert "451.007" in form.content.decode()
    assert "576,28" in form.content.decode()
