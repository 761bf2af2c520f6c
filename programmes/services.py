"""Write rules for programmes, called alike by the admin, commands and views."""

from django.utils import timezone

from .enums import PublicationState


def programme_stamp_publication(*, programme, now=None):
    """Record the first publication time; a programme taken back to draft keeps it."""
    if programme.publication_state == PublicationState.PUBLISHED and not programme.published_at:
        programme.published_at = now or timezone.now()
    return programme


def programme_publish(*, programme, now=None):
    programme.publication_state = PublicationState.PUBLISHED
    programme_stamp_publication(programme=programme, now=now)
    programme.save(update_fields=["publication_state", "published_at", "updated_at"])
    return programme


def programme_unpublish(*, programme):
    programme.publication_state = PublicationState.DRAFT
    programme.save(update_fields=["publication_state", "updated_at"])
    return programme
