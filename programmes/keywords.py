"""Free keywords (taggit) as the public sees them, and their upkeep.

Keywords are shared by all counties. The public list offers only those of published
programmes; a keyword that no programme uses any more is removed, so that neither the list
nor the keyword admin keeps the words of drafts that were changed or deleted."""

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from .models import Programme


def _programme_items():
    return TaggedItem.objects.filter(
        content_type__app_label=Programme._meta.app_label,
        content_type__model=Programme._meta.model_name,
    )


KEYWORD_MAX_LENGTH = Tag._meta.get_field("name").max_length
SLUG_RESERVE = 10


def check_keywords(names):
    """Keywords as a form or an import row gives them; each must fit the keyword table."""
    too_long = [name for name in names if len(name) > KEYWORD_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            _(
                "A keyword may have at most %(limit)d characters; this one has %(length)d: "
                "“%(start)s …”."
            )
            % {"limit": KEYWORD_MAX_LENGTH, "length": len(too_long[0]), "start": too_long[0][:40]},
            code="keyword_too_long",
        )
    for name in names:
        # taggit derives an address part of at most as many characters (ligatures grow,
        # a clash gets "_1"); keep room for that.
        if len(slugify(name, allow_unicode=True)) > KEYWORD_MAX_LENGTH - SLUG_RESERVE:
            raise ValidationError(
                _("This keyword is too long; please shorten it: “%(start)s …”.")
                % {"start": name[:40]},
                code="keyword_too_long",
            )
    return names


def published_keywords(request=None):
    """Keywords of published programmes, by name (a callable for django-filter)."""
    used = _programme_items().filter(object_id__in=Programme.objects.published().values("pk"))
    return Tag.objects.filter(pk__in=used.values("tag_id")).order_by("name")


def prune_unused(tag_ids):
    """Remove the keywords among `tag_ids` that nothing is tagged with any more."""
    if tag_ids:
        Tag.objects.filter(pk__in=tag_ids, taggit_taggeditem_items__isnull=True).delete()


def item_deleted(sender, instance, **kwargs):
    prune_unused([instance.tag_id])


def connect():
    # Every way a keyword leaves a programme ends in a deleted TaggedItem: removing it in a
    # form, an import or a restore, and deleting the programme (the generic relation).
    post_delete.connect(item_deleted, sender=TaggedItem, dispatch_uid="keyword-prune")
