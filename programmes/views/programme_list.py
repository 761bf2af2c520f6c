"""The public list of programmes: filters, search, facet counts and pages."""

from contextlib import nullcontext

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.cache import cached_value, content_version
from portal.listing import PAGE_PARAM, FilteredListView

from .. import search, terms
from ..facets import FOUND, NOT_FILTERS, facet_counts, listed
from ..filters import (
    AS_TYPED,
    NEWEST,
    QUERY_MAX_LENGTH,
    SORT_ORDERS,
    ProgrammeFilter,
    search_key,
)
from ..models import (
    Programme,
)

# A dossier holds at most this many programmes (programmes.dossier).
DOSSIER_MAX = 50
# The page number changes neither the matches nor their counts.
NOT_FILTERING = {"seite", *NOT_FILTERS}


def facets_name(params):
    """The name a list's facet counts are kept under (portal.cache.cached_value): they
    depend on the filters and the search only, not on page or order."""
    query = sorted(
        (key, value)
        for key, values in params.lists()
        if key not in NOT_FILTERING
        for value in values
    )
    return f"facets:{query}"


class ListFilter(ProgrammeFilter):
    searches_all_published = True  # the list's queryset, below
    keeps_searches = True


class ProgrammeListView(FilteredListView):
    filterset_class = ListFilter
    paginate_by = settings.PROGRAMMES_PER_PAGE
    template_name = "programmes/programme_list.html"

    def get_queryset(self):
        # Newest first unless a search or a chosen order says otherwise (filters.SORT_ORDERS).
        self.queryset = Programme.objects.published().order_by(*SORT_ORDERS[NEWEST][1])
        return super().get_queryset()

    def get(self, request, *args, **kwargs):
        # Everything the page reads is read here; the template only renders lists.
        text = request.GET.get("q", "").strip()
        searching = (
            text
            and len(text) <= QUERY_MAX_LENGTH  # a longer one is refused: no search
            and not search.kept(search_key(request, request.GET, text))
        )
        with search.index_scans() if searching else nullcontext():
            return super().get(request, *args, **kwargs)

    def get_paginator(self, queryset, per_page, **kwargs):
        """Pages of ids, from the facet index and what the search found
        (programmes.facets.listed); the count comes with the facet counts."""
        self.facets, total = cached_value(
            facets_name(self.request.GET),
            lambda: facet_counts(self.filterset),
            request=self.request,
            local=True,
        )
        # The facet index, and what the search found, give the ids in order.
        paginator = super().get_paginator(listed(self.filterset), per_page, **kwargs)
        paginator.count = total
        return paginator

    def paginate_queryset(self, queryset, page_size):
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset, page_size)
        ids = list(ids)
        cards = Programme.objects.filter(pk__in=ids).for_cards().in_bulk()
        terms.attach((), cards.values(), request=self.request)  # fields of action, counties
        page.object_list = [cards[pk] for pk in ids if pk in cards]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facets"] = self.facets
        context["dossier_max"] = DOSSIER_MAX
        context["feed_url"], context["feed_title"] = self._feed()
        text = getattr(self.filterset.form, "cleaned_data", {}).get("q")
        if text:
            context.update(self._search_context(text, context))
        return context

    def _feed(self):
        """The Atom feed closest to the list: of its one Land, field of action, county or of
        the best practices, otherwise of all programmes."""
        used = {key for key in self.request.GET if key not in NOT_FILTERING}
        cleaned = getattr(self.filterset.form, "cleaned_data", {})
        chosen = cleaned.get(next(iter(used))) if len(used) == 1 else None
        if used == {"land"} and chosen is not None and len(chosen) == 1:
            state = list(chosen)[0]
            return (
                reverse("programmes:feed-state", args=[state.slug]),
                _("New programmes in %(name)s") % {"name": state.name},
            )
        if used == {"handlungsfeld"} and chosen is not None and len(chosen) == 1:
            field = list(chosen)[0]
            return (
                reverse("programmes:feed-field", args=[field.address]),
                _("New programmes in “%(name)s”") % {"name": field.name},
            )
        if used == {"kreis"} and chosen is not None:
            return (
                reverse("programmes:feed-county", args=[chosen.slug]),
                _("New programmes of %(name)s") % {"name": chosen.name},
            )
        if used == {"praxisbeispiel"} and chosen:
            return reverse("programmes:feed-best-practices"), _("New best practices")
        return reverse("programmes:feed-all"), _("New programmes")

    def _search_context(self, text, context):
        filterset = self.filterset
        query_plan = filterset.search_plan or search.plan(text, content_version(self.request))
        programmes = list(context["object_list"])
        kept = getattr(filterset, FOUND, None)
        found = search.snippets(programmes, query_plan, kept.passages if kept else None)
        for programme in programmes:
            programme.snippet = found.get(programme.pk)
        extra = {"object_list": programmes, "search_synonyms": query_plan.synonyms}
        if not query_plan.groups:
            extra["search_hint"] = True
        if filterset.correction:
            typed, corrected = filterset.correction
            query = self.request.GET.copy()
            query["q"] = typed
            query[AS_TYPED] = "1"
            query.pop(PAGE_PARAM, None)
            extra.update(corrected=corrected, as_typed=typed, as_typed_query=query.urlencode())
        extra["place_offers"] = self._place_offers(text)
        return extra

    def _place_offers(self, text):
        """Links that narrow the list to a Land or county the query names, if not yet done."""
        places = cached_value("search-places", search.all_places, request=self.request, local=True)
        offers = []
        for kind, slug, name in search.named_places(text, places):
            if slug in self.request.GET.getlist(kind):
                continue
            query = self.request.GET.copy()
            query.setlist(kind, [*query.getlist(kind), slug] if kind == "land" else [slug])
            query.pop(PAGE_PARAM, None)
            offers.append({"name": name, "query": query.urlencode()})
        return offers
