import re
from contextlib import nullcontext

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from counties.models import County, CountyCategory
from portal.cache import cached_value, content_version
from portal.links import base_url
from portal.listing import PAGE_PARAM, FilteredListView, shown
from portal.roles import county_ids
from portal.text import german_slugify, render_markdowns

from . import neighbours, opendata, search, terms
from .enums import ProgrammeStatus
from .exchange import exchange_context
from .facets import FOUND, NOT_FILTERS, facet_counts, listed
from .filters import (
    AS_TYPED,
    NEWEST,
    QUERY_MAX_LENGTH,
    SORT_ORDERS,
    ProgrammeFilter,
    search_key,
)
from .models import (
    Attachment,
    FieldOfAction,
    Programme,
    SearchSubscription,
    TargetGroup,
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


def with_detail_relations(queryset):
    """Programmes with what their pages show from their own rows and the rows beside them
    (profile, kept neighbours); `read_details` and `terms.attach` read the rest, and
    `terms.attach` gives them their counties."""
    return queryset.select_related("best_practice", "neighbours")


def read_details(programmes):
    """The source of a take-over and the indicators of a profile, read only for the
    programmes that have them (few are taken over; most have no profile). The Markdown
    texts of the page are converted together, in one round trip to the shared cache."""
    adapted = [programme for programme in programmes if programme.adapted_from_id]
    if adapted:
        sources = Programme.objects.select_related("county")
        prefetch_related_objects(adapted, Prefetch("adapted_from", queryset=sources))
    profiled = [programme for programme in programmes if programme.profile is not None]
    if profiled:
        prefetch_related_objects(profiled, "best_practice__indicators")
    render_markdowns([text for programme in programmes for text in shown_texts(programme)])
    return programmes


def shown_texts(programme):
    """The Markdown texts that programme_detail.html shows; one left out here is still
    shown, converted on its own."""
    texts = [programme.description, programme.goals]
    profile = programme.profile
    if profile is not None and profile.is_recognised:
        texts += [profile.starting_situation, profile.approach, profile.results]
        texts += [profile.success_factors, profile.obstacles]
        texts += [text for _label, text in profile.transfer_items]
    return [text for text in texts if text]


def neighbours_context(request, programme):
    """Related and comparable published programmes: their ids kept ahead
    (programmes.neighbours), their cards read fresh. The terms of the programme and of the
    cards come in one statement (programmes.terms)."""
    related_ids, comparable_ids = neighbours.ids(programme, request)
    cards = (
        Programme.objects.published()
        .filter(pk__in=[*related_ids, *comparable_ids])
        .for_cards()
        .in_bulk()
    )
    terms.attach([programme], cards.values(), request=request)
    return {
        "related": [cards[pk] for pk in related_ids if pk in cards],
        "comparable": [cards[pk] for pk in comparable_ids if pk in cards],
    }


class ProgrammeDetailView(DetailView):
    template_name = "programmes/programme_detail.html"

    def get_queryset(self):
        return with_detail_relations(Programme.objects.publicly_reachable())

    def get_object(self, queryset=None):
        programme = super().get_object(queryset)
        read_details([programme])
        return programme

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(neighbours_context(self.request, self.object))
        context.update(exchange_context(self.request, self.object))
        return context


def preview_response(request, programme):
    """A programme of any state as the public would see it, for its county's staff and the
    editors: marked as a preview, kept out of search engines and caches."""
    programme = with_detail_relations(Programme.objects.filter(pk=programme.pk)).get()
    read_details([programme])
    context = {"programme": programme, "object": programme, "preview": True}
    context.update(neighbours_context(request, programme))
    context.update(exchange_context(request, programme))
    response = render(request, "programmes/programme_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def field_list(request):
    fields = FieldOfAction.objects.with_published_counts()
    return render(request, "programmes/fieldofaction_list.html", {"fields": fields})


def field_detail(request, slug):
    field = FieldOfAction.objects.with_published_counts().filter(address=slug).first()
    if field is None:
        # An address of the English codes ("/handlungsfelder/housing/"): moved for good.
        old = get_object_or_404(FieldOfAction, slug=slug)
        return redirect(old.get_absolute_url(), permanent=True)
    programmes = list(
        Programme.objects.published()
        .filter(fields_of_action=field)
        .for_cards()
        .order_by("-published_at", "title")[:12]
    )
    terms.attach((), programmes, request=request)
    return render(
        request,
        "programmes/fieldofaction_detail.html",
        {"field": field, "programmes": programmes},
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


def programme_data(request, fmt):
    """The current (filtered) list of published programmes as open data."""
    filterset = ProgrammeFilter(request.GET, queryset=Programme.objects.published())
    filterset.is_valid()
    records = opendata.rows(filterset.qs, base_url(request))
    return opendata.as_csv(records) if fmt == "csv" else opendata.as_json(records)


def open_data(request):
    return render(
        request,
        "programmes/open_data.html",
        {
            "codes": [
                (_("Fields of action"), FieldOfAction.objects.all()),
                (_("Target groups"), TargetGroup.objects.all()),
            ],
            "statuses": ProgrammeStatus.choices,
            "fields": opendata.FIELDS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "destatis": opendata.DESTATIS,
        },
    )


COMPARABLE_PROGRAMMES = 30


def _county_label(county):
    return f"{county.name} ({county.official_kind})"


# How people name a county around its name: "Landkreis Cham", "LK Cham", "Kreis Cham".
COUNTY_WORDS = re.compile(r"^(landkreis|lkr?\.?|kreis|stadtkreis)\s+", re.IGNORECASE)
CITY_WORDS = re.compile(r"^(stadt|kreisfreie stadt)\s+", re.IGNORECASE)


def _resolve_county(text, counties):
    """A county from what the person typed or picked: "Name (Art)", the name, the slug, or
    the name with the kind of county in front ("LK Cham", "Stadt Ansbach")."""
    wanted = shown(text or "", limit=120).strip().casefold()
    if not wanted:
        return None, []
    for county in counties:
        if wanted in {_county_label(county).casefold(), county.slug}:
            return county, []
    kind = None
    if COUNTY_WORDS.match(wanted):
        wanted, kind = COUNTY_WORDS.sub("", wanted), CountyCategory.LANDKREIS
    elif CITY_WORDS.match(wanted):
        wanted, kind = CITY_WORDS.sub("", wanted), CountyCategory.KREISFREIE_STADT
    by_name = [
        county
        for county in counties
        if wanted in {county.name.casefold(), county.name.split(",")[0].casefold()}
        and (kind is None or county.category == kind)
    ]
    if len(by_name) == 1:
        return by_name[0], []
    candidates = by_name or [c for c in counties if wanted in c.name.casefold()]
    return None, candidates[:8]


def comparable(request):
    """Praxis aus vergleichbaren Kreisen: programmes of the counties most like mine."""
    counties = list(County.objects.select_related("state"))
    county, candidates = _resolve_county(request.GET.get("kreis"), counties)
    fields = FieldOfAction.objects.all()
    wanted = request.GET.get("handlungsfeld")
    field = next((f for f in fields if wanted in (f.address, f.slug)), None)
    query = shown(request.GET.get("kreis") or "", limit=120).strip()
    context = {
        "counties": counties,
        "labels": [_county_label(c) for c in counties],
        "county": county,
        "candidates": candidates,
        "fields": fields,
        "field": field,
        "query": query,
        "ambiguous": sum(c.name.casefold() == query.casefold() for c in candidates) > 1,
        "unknown_field": bool(request.GET.get("handlungsfeld")) and field is None,
    }
    own = county_ids(request.user)
    if own:  # county staff follow the counties like theirs in one click
        context["follow_counties"] = [c for c in counties if c.pk in own]
        context["followed"] = set(
            SearchSubscription.objects.filter(
                user=request.user, similar_to__isnull=False
            ).values_list("similar_to_id", flat=True)
        )
    if county is not None:
        similar_ids = neighbours.similar_taking_part(county, request)
        found = (
            County.objects.filter(pk__in=similar_ids)
            .select_related("state")
            .with_programme_counts()
            .in_bulk()
        )
        similar = [found[pk] for pk in similar_ids if pk in found]
        programmes = (
            Programme.objects.published()
            .filter(county__in=similar_ids)
            .with_best_practice_flag()
            .for_cards()
            .order_by("-is_best_practice", "-published_at")
        )
        if field is not None:
            programmes = programmes.filter(fields_of_action=field)
        programmes = list(programmes[:COMPARABLE_PROGRAMMES])
        terms.attach((), programmes, request=request)
        context.update(
            similar=similar,
            programmes=programmes,
            county_label=_county_label(county),
            own_count=Programme.objects.published().for_county(county).count(),
        )
    return render(request, "programmes/comparable.html", context)
