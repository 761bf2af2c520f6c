"""Keeps the stored search documents current. Signals, because every path that changes a
programme must be caught (admin, import, services, restore, the county loader); this is an
index, not a workflow."""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import TaggedItem

from counties.models import County

from ..models import BestPracticeProfile, Programme
from .index import update_search_vectors

RELATION_DONE = {"post_add", "post_remove", "post_clear"}


def programme_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        update_search_vectors([instance.pk])


def relations_changed(sender, instance, action, **kwargs):
    if action in RELATION_DONE and isinstance(instance, Programme):
        update_search_vectors([instance.pk])


def profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        update_search_vectors([instance.programme_id])


def profile_deleted(sender, instance, origin=None, **kwargs):
    # Not while its programme is being deleted: the new words would outlive the programme.
    deleting_programme = isinstance(origin, Programme) or (
        isinstance(origin, QuerySet) and origin.model is Programme
    )
    if not deleting_programme:
        update_search_vectors([instance.programme_id])


def county_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        update_search_vectors(list(instance.programmes.values_list("pk", flat=True)))


def connect():
    post_save.connect(programme_saved, sender=Programme, dispatch_uid="search-programme")
    post_save.connect(profile_saved, sender=BestPracticeProfile, dispatch_uid="search-profile")
    post_delete.connect(
        profile_deleted, sender=BestPracticeProfile, dispatch_uid="search-profile-deleted"
    )
    post_save.connect(county_saved, sender=County, dispatch_uid="search-county")
    for through in (Programme.fields_of_action.through, TaggedItem):
        m2m_changed.connect(
            relations_changed, sender=through, dispatch_uid=f"search-{through._meta.label}"
        )
