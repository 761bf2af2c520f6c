"""Files in the staff's forms: the stored image or document is linked through the portal,
which serves it to those who may edit the programme."""

from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.urls import reverse

from ..models import (
    Attachment,
)


class _StaffFileLink:
    """What the file widget shows for a stored file: its name, linked through the portal."""

    def __init__(self, field_file, url):
        self.url = url
        self.name = field_file.name.rsplit("/", 1)[-1]

    def __str__(self):
        return self.name


def staff_file_url(instance):
    if isinstance(instance, Attachment):
        return reverse(
            "admin:programmes_programme_attachment_file", args=[instance.programme_id, instance.pk]
        )
    return reverse("admin:programmes_programme_image_file", args=[instance.pk])


class StaffFileInput(AdminFileWidget):
    """ "Currently:" links to the portal, which serves the file to those who may edit the
    programme (drafts included), with the headers of public files; /media/ is served
    nowhere, in development or production."""

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            return _StaffFileLink(value, staff_file_url(value.instance))
        return super().format_value(value)


STAFF_FILE_FIELDS = {
    models.ImageField: {"widget": StaffFileInput},
    models.FileField: {"widget": StaffFileInput},
}
