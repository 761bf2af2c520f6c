"""Uploads in an S3-compatible object store, which several app servers share: production
settings choose it when a bucket is named, and the portal's own views serve what the admin
stored there. The store is a real S3 server on 127.0.0.1 (moto)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.models import Attachment, Programme
from tests.factories import CountyFactory, ProgrammeFactory, pdf_bytes
from tests.forms import programme_form
from tests.s3 import (
    BUCKET,
    bucket_client,
    png_bytes,
    prod_settings,
    running_s3_server,
    s3_environment,
    stored_objects,
)


@pytest.fixture(scope="module")
def s3_endpoint():
    with running_s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    """The default storage exactly as production configures it for this bucket."""
    storages = prod_settings(s3_environment(s3_endpoint))["STORAGES"]
    settings.STORAGES = {**settings.STORAGES, "default": storages["default"]}
    yield s3_endpoint
    client = bucket_client(s3_endpoint)
    for key in stored_objects(s3_endpoint):
        client.delete_object(Bucket=BUCKET, Key=key)


def stored_attachment():
    item = Attachment(programme=ProgrammeFactory(), title="Bericht")
    item.file.save("bericht.pdf", SimpleUploadedFile("bericht.pdf", pdf_bytes()))
    return item


def test_without_a_bucket_uploads_stay_on_the_file_system():
    storage = prod_settings({})["STORAGES"]["default"]
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_with_a_bucket_uploads_go_to_s3_and_stay_private():
    storage = prod_settings(s3_environment("https://s3.example.net"))["STORAGES"]["default"]
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"]) == (BUCKET, "https://s3.example.net")
    assert options["default_acl"] is None  # the bucket's own: private
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


@pytest.mark.django_db
def test_an_upload_through_the_admin_lands_in_the_bucket_and_the_portal_serves_it(
    client, editor, s3_storage
):
    county = CountyFactory()
    image, document = png_bytes(), pdf_bytes()
    client.force_login(editor)
    form = programme_form(
        county,
        image=SimpleUploadedFile("bild.png", image, content_type="image/png"),
        image_alt="Ein grünes Feld",
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "Flyer",
            "attachments-0-file": SimpleUploadedFile(
                "flyer.pdf", document, content_type="application/pdf"
            ),
        },
    )
    assert client.post(reverse("admin:programmes_programme_add"), form).status_code == 302
    programme = Programme.objects.get(slug="neues-programm")
    client.post(
        reverse("admin:programmes_programme_changelist"),
        {"action": "publish_selected", "_selected_action": [programme.pk]},
    )
    attachment = programme.attachments.get()

    stored = stored_objects(s3_storage)
    assert stored == {programme.image.name: image, attachment.file.name: document}
    client.logout()
    served_image = client.get(reverse("programmes:image", args=[programme.slug]))
    served_document = client.get(attachment.get_absolute_url())
    assert (served_image.status_code, served_image["Content-Type"]) == (200, "image/png")
    assert b"".join(served_image.streaming_content) == image
    assert served_image["Content-Length"] == str(len(image))
    assert (served_document.status_code, served_document["Content-Type"]) == (
        200,
        "application/pdf",
    )
    assert b"".join(served_document.streaming_content) == document


@pytest.mark.django_db
def test_the_objects_are_not_public(s3_storage):
    item = stored_attachment()

    grants = bucket_client(s3_storage).get_object_acl(Bucket=BUCKET, Key=item.file.name)["Grants"]
    assert [grant["Grantee"].get("URI") for grant in grants] == [None]  # the owner alone


@pytest.mark.django_db
def test_a_file_missing_in_the_bucket_is_a_404_not_an_error(client, s3_storage):
    item = stored_attachment()
    bucket_client(s3_storage).delete_object(Bucket=BUCKET, Key=item.file.name)

    assert client.get(item.get_absolute_url()).status_code == 404
