"""Images and documents of programmes, served with the headers of public files (drafts' files
only to their county's staff and the editors, through the admin)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from portal.text import german_slugify

from ..models import (
    Attachment,
    Programme,
)

IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _serve(field_file, *, content_type, filename):
    """A stored upload with a content type and name the portal chose, never the uploader."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def attachment_response(item):
    name = f"{german_slugify(item.title) or 'dokument'}.pdf"
    return _serve(item.file, content_type="application/pdf", filename=name)


def image_response(programme):
    if not programme.image:
        raise Http404
    extension = programme.image.name.rsplit(".", 1)[-1].lower()
    if extension not in IMAGE_TYPES:
        raise Http404
    return _serve(
        programme.image,
        content_type=IMAGE_TYPES[extension],
        filename=f"{programme.slug}.{extension}",
    )


def attachment(request, slug, pk):
    item = get_object_or_404(
        Attachment.objects.filter(programme__in=Programme.objects.publicly_reachable()),
        pk=pk,
        programme__slug=slug,
    )
    return attachment_response(item)


def image(request, slug):
    return image_response(get_object_or_404(Programme.objects.publicly_reachable(), slug=slug))
