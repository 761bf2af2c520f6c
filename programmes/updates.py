"""When a published programme counts as substantially updated, so that the saved searches'
digests (programmes.digests) report it again: a new title or status, a fifth of the words of
its texts changed, or published again after an archive or a withdrawal.

A signal rather than a service call: programmes are saved by the admin form, its actions,
the spreadsheet import and history restores, and every one of these saves must be noticed.
It only stamps a moment; nothing else happens on a save."""

import difflib

from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from .enums import PublicationState
from .models import Programme

# Share of words of a published programme's texts that must change to count as an update.
SUBSTANTIAL_SHARE = 0.2
TEXT_FIELDS = ("title", "summary", "description", "goals")


def _words(values):
    return " ".join(str(value or "") for value in values).split()


def is_substantial(old, new):
    """A new title or status, or a fifth of the words of the texts changed."""
    if old["title"].strip().casefold() != new["title"].strip().casefold():
        return True
    if old["status"] != new["status"]:
        return True
    before = _words(old[name] for name in TEXT_FIELDS[1:])
    after = _words(new[name] for name in TEXT_FIELDS[1:])
    return difflib.SequenceMatcher(None, before, after, autojunk=False).ratio() < (
        1 - SUBSTANTIAL_SHARE
    )


def note_substantial_change(sender, instance, update_fields=None, raw=False, **kwargs):
    """Before a published programme is saved: notice when its texts change enough, or when
    it is published again after an archive or a withdrawal (written after the save)."""
    if raw or instance.pk is None or instance.publication_state != PublicationState.PUBLISHED:
        return
    watched = {*TEXT_FIELDS, "status", "publication_state"}
    if update_fields is not None and not watched & set(update_fields):
        return
    old = Programme.objects.filter(pk=instance.pk).values(*watched, "published_at").first()
    if old is None or old["published_at"] is None:
        return  # the first publication: reported as new
    new = {name: getattr(instance, name) for name in watched}
    if old["publication_state"] != PublicationState.PUBLISHED or is_substantial(old, new):
        instance._substantial_change = timezone.now()


def record_substantial_change(sender, instance, raw=False, **kwargs):
    moment = instance.__dict__.pop("_substantial_change", None)
    if moment is not None and not raw:
        Programme.objects.filter(pk=instance.pk).update(substantially_updated_at=moment)
        instance.substantially_updated_at = moment


def connect():
    uid = "digests-substantial-change"
    pre_save.connect(note_substantial_change, sender=Programme, dispatch_uid=f"{uid}-note")
    post_save.connect(record_substantial_change, sender=Programme, dispatch_uid=f"{uid}-record")
