"""Uploads are checked by what they contain, never by their file name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

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
    """The signature at the very start, and a PDF parser that can read the pages: a file
    that merely mentions %PDF- somewhere near its start is not stored."""
    _check_size(upload, PDF_MAX_BYTES)
    upload.seek(0)
    try:
        if upload.read(5) != b"%PDF-":
            raise ValidationError(_("This is not a PDF file."), code="invalid_pdf")
        upload.seek(0)
        try:
            reader = PdfReader(upload, strict=False)
            if len(reader.pages) < 1:
                raise ValueError("no pages")
        except Exception as broken:  # pypdf raises many kinds of errors on broken files
            raise ValidationError(
                _("This PDF file is damaged or cannot be read."), code="broken_pdf"
            ) from broken
    finally:
        upload.seek(0)


def validate_single_line(value):
    """Titles travel into e-mail subjects and page headings: one line, no control codes."""
    if any(character in value for character in "\r\n\v\f\x85\u2028\u2029"):
        raise ValidationError(_("The title must be a single line."), code="multiple_lines")
