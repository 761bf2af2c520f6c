"""The controlled vocabularies that classify programmes (fields of action, target groups,
partner kinds, staff roles), kept by migrations and renamed by the editors, and the free
keywords (django-taggit)."""

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from portal.text import german_slugify

from ..enums import PublicationState


class ControlledTerm(models.Model):
    """A term of a fixed list, created by a data migration and picked from checkboxes."""

    # The stable code of open data and of older addresses ("housing"), and the German word
    # of the portal's addresses and filters ("wohnen"); both stay when the name is edited.
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    address = models.SlugField(_("address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.address:
            self.address = german_slugify(self.name)[:60]
        super().save(*args, **kwargs)


class FieldOfActionQuerySet(models.QuerySet):
    def with_published_counts(self):
        # Grouped queries ignore Meta.ordering, so the order is restated here.
        return self.annotate(
            published_count=Count(
                "programmes", filter=Q(programmes__publication_state=PublicationState.PUBLISHED)
            )
        ).order_by("position", "name")


class FieldOfAction(ControlledTerm):
    """One of the six Handlungsfelder of the DLT study."""

    description = models.TextField(_("description"))

    objects = FieldOfActionQuerySet.as_manager()

    class Meta(ControlledTerm.Meta):
        verbose_name = _("field of action")
        verbose_name_plural = _("fields of action")

    def get_absolute_url(self):
        return reverse("programmes:field-detail", kwargs={"slug": self.address})


class TargetGroup(ControlledTerm):
    class Meta(ControlledTerm.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class PartnerKind(ControlledTerm):
    """A kind of actor that takes part, e.g. Jobcenter or Volkshochschule."""

    class Meta(ControlledTerm.Meta):
        verbose_name = _("kind of partner")
        verbose_name_plural = _("kinds of partners")


class StaffRole(ControlledTerm):
    """A kind of work a practice needs staff for, e.g. coordination or teaching."""

    class Meta(ControlledTerm.Meta):
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")


class Keyword(Tag):
    """The free keywords (django-taggit's tags) as the staff area names them."""

    class Meta:
        proxy = True
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
