"""Uploads are checked by what they contain, never by their file name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

IMAGE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _check_size(upload, limit):
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); at most %(limit)s are allowed."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def _image_format(upload):
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)


def validate_image(upload):
    _check_size(upload, IMAGE_MAX_BYTES)
    if _image_format(upload) not in IMAGE_FORMATS:
        raise ValidationError(_("This is not a JPEG, PNG or WebP image."), code="invalid_image")


def image_extension(upload):
    return IMAGE_FORMATS.get(_image_format(upload), "bin")


def validate_pdf(upload):
    _check_size(upload, PDF_MAX_BYTES)
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(_("This is not a PDF file."), code="invalid_pdf")
