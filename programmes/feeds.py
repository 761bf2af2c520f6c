"""Atom feeds of newly published programmes: all, best practices, per field of action,
per Land and per county."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from counties.models import County, State

from .models import FieldOfAction, Programme

FEED_LENGTH = 50


class ProgrammeFeed(Feed):
    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("Kreise für Integration: new programmes")

    def subtitle(self, obj=None):
        return _("Newly published integration programmes of German counties.")

    def link(self, obj=None):
        return reverse("programmes:programme-list")

    def filter(self, programmes, obj):
        return programmes

    def items(self, obj=None):
        programmes = Programme.objects.published().select_related("county")
        programmes = self.filter(programmes, obj).prefetch_related("fields_of_action")
        return programmes.order_by("-published_at")[:FEED_LENGTH]

    def item_title(self, item):
        return f"{item.title} ({item.county.name})"

    def item_description(self, item):
        if item.adapted_from_title:  # the lineage: which practice it was taken over from
            return _("%(summary)s Based on: %(title)s (%(county)s).") % {
                "summary": item.summary,
                "title": item.adapted_from_title,
                "county": item.adapted_from_county,
            }
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.county.name

    def item_categories(self, item):
        return [field.name for field in item.fields_of_action.all()]


class BestPracticeFeed(ProgrammeFeed):
    def title(self, obj=None):
        return _("Kreise für Integration: new best practices")

    def subtitle(self, obj=None):
        return _("Programmes the editors have recognised as best practices.")

    def link(self, obj=None):
        return f"{reverse('programmes:programme-list')}?praxisbeispiel=on"

    def filter(self, programmes, obj):
        return programmes.filter(best_practice__is_recognised=True)


class FieldFeed(ProgrammeFeed):
    def __call__(self, request, *args, **kwargs):
        # A feed subscribed under the English code ("housing") moved to the German address.
        slug = kwargs.get("slug")
        if not FieldOfAction.objects.filter(address=slug).exists():
            old = FieldOfAction.objects.filter(slug=slug).first()
            if old is not None:
                return redirect(
                    reverse("programmes:feed-field", kwargs={"slug": old.address}), permanent=True
                )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug):
        return get_object_or_404(FieldOfAction, address=slug)

    def title(self, obj=None):
        return _("Kreise für Integration: new programmes in “%(name)s”") % {"name": obj.name}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def filter(self, programmes, obj):
        return programmes.filter(fields_of_action=obj)


class StateFeed(ProgrammeFeed):
    def get_object(self, request, slug):
        return get_object_or_404(State, slug=slug)

    def title(self, obj=None):
        return _("Kreise für Integration: new programmes in %(name)s") % {"name": obj.name}

    def link(self, obj=None):
        return f"{reverse('programmes:programme-list')}?land={obj.slug}"

    def filter(self, programmes, obj):
        return programmes.filter(county__state=obj)


class CountyFeed(ProgrammeFeed):
    def get_object(self, request, slug):
        return get_object_or_404(County, slug=slug)

    def title(self, obj=None):
        return _("Kreise für Integration: new programmes of %(name)s") % {"name": obj.name}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def filter(self, programmes, obj):
        return programmes.filter(county=obj)
