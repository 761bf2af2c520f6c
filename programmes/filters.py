from decimal import Decimal
from functools import partial

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from counties.models import County, CountyCategory, State
from portal.cache import cached_value, content_version, keep_shared, shared_value
from portal.filters import (
    CheckboxFilter,
    LenientModelMultipleChoiceFilter,
    LenientMultipleChoiceFilter,
    SemiJoinModelChoiceFilter,
    SemiJoinModelMultipleChoiceFilter,
    SemiJoinMultipleChoiceFilter,
)

from . import search, terms
from .enums import FundingLevel, ProgrammeStatus
from .keywords import published_keywords
from .models import FieldOfAction, Programme, TargetGroup

QUERY_MAX_LENGTH = 200
RELEVANCE = "relevanz"
# Asking for the words as typed, without the automatic correction of a mistyped word.
AS_TYPED = "wortgenau"
# Each order ends with the id, so that programmes of equal standing keep their places from
# page to page (and the facet index can keep the same order, programmes.facets).
SORT_ORDERS = {
    RELEVANCE: (_("relevance"), None),
    "neu": (_("newest first"), ("-published_at", "title", "pk")),
    "titel": (_("title A–Z"), (Lower("title"), "pk")),
    "kreis": (_("county A–Z"), ("county__sort_name", Lower("title"), "pk")),
}
NEWEST = "neu"  # the order of a list without a search and without a chosen order


class CountyChoiceField(filter_fields.ModelChoiceField):
    def label_from_instance(self, obj):
        # Landkreis and Stadt often share a name (Ansbach, Heilbronn): the kind tells them apart.
        return f"{obj.name} ({obj.official_kind})"


class CountyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CountyChoiceField


# Filters named by the terms' German addresses also take their stable codes, which open data
# documents and older links use (handlungsfeld=housing means handlungsfeld=wohnen).
TERM_FILTERS = {"handlungsfeld": FieldOfAction, "zielgruppe": TargetGroup}


def _with_addresses(data, request):
    if not hasattr(data, "getlist") or not any(name in data for name in TERM_FILTERS):
        return data
    data = data.copy()
    for name, model in TERM_FILTERS.items():
        values = data.getlist(name)
        if values:
            codes = cached_value(
                f"term-codes:{name}",
                lambda model=model: dict(model.objects.values_list("slug", "address")),
                request=request,
                local=True,
            )
            data.setlist(name, [codes.get(value, value) for value in values])
    return data


# The transferability card's filters: each choice a bound (as sent, as compared); the facet
# counts in programmes.facets use the same bounds.
STAFF_BOUNDS = [
    ("0.5", Decimal("0.5"), _("at most half a position")),
    ("1", Decimal("1"), _("at most one position")),
    ("2", Decimal("2"), _("at most two positions")),
]
COST_BOUNDS = [
    ("10000", 10_000, _("running costs under 10,000 € a year")),
    ("25000", 25_000, _("running costs under 25,000 € a year")),
    ("50000", 50_000, _("running costs under 50,000 € a year")),
]
START_BOUNDS = [
    ("3", 3, _("ready to start within 3 months")),
    ("6", 6, _("ready to start within 6 months")),
    ("12", 12, _("ready to start within 12 months")),
]
TRIED_BOUNDS = [
    ("100000", 100_000, _("tried in counties under 100,000 inhabitants")),
    ("150000", 150_000, _("tried in counties under 150,000 inhabitants")),
    ("250000", 250_000, _("tried in counties under 250,000 inhabitants")),
]


def _bound_filter(label, bounds, empty_label, method):
    return django_filters.ChoiceFilter(
        label=label,
        choices=[(value, text) for value, _bound, text in bounds],
        empty_label=empty_label,
        method=method,
    )


def _bound(bounds, value):
    return next(bound for sent, bound, _text in bounds if sent == value)


def search_key(request, data, text):
    """What a search of all published programmes depends on: the content, the words, and
    whether they are to be taken as typed."""
    as_typed = bool((data or {}).get(AS_TYPED))
    return (connection.alias, content_version(request), text, as_typed)


# Filters of a few dozen terms or Länder: what they accept is kept per content version in
# each process, so a chosen field of action or Land costs no query to check.
KEPT_CHOICES = ("handlungsfeld", "zielgruppe", "land")


def _kept_choices(field, request):
    """{value sent: object} of a filter's whole table, in the table's order: the terms (or
    Länder) kept per content version in each process (programmes.terms)."""
    model = field.queryset.model
    kept = terms.controlled_terms([model], request)[model]
    return {str(getattr(item, field.to_field_name)): item for item in kept.values()}


class ProgrammeFilter(django_filters.FilterSet):
    """The public programme list. AND across filters, OR within a multi-select."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    handlungsfeld = SemiJoinModelMultipleChoiceFilter(
        label=_("Field of action"),
        field_name="fields_of_action__address",
        to_field_name="address",
        queryset=FieldOfAction.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    zielgruppe = SemiJoinModelMultipleChoiceFilter(
        label=_("Target group"),
        field_name="target_groups__address",
        to_field_name="address",
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    land = LenientModelMultipleChoiceFilter(
        label=_("State"),
        field_name="county__state__slug",
        to_field_name="slug",
        queryset=State.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one Land per programme: nothing to deduplicate
    )
    kreis = CountyChoiceFilter(
        label=_("County"),
        field_name="county",
        to_field_name="slug",
        queryset=County.objects.all(),
        empty_label=_("All counties"),
    )
    kategorie = django_filters.ChoiceFilter(
        label=_("Kind of county"),
        field_name="county__category",
        choices=CountyCategory.choices,
        empty_label=_("All kinds"),
    )
    status = LenientMultipleChoiceFilter(
        label=_("Status"),
        choices=ProgrammeStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    foerderung = SemiJoinMultipleChoiceFilter(
        label=_("Funding"),
        field_name="fundings__level",
        choices=FundingLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    praxisbeispiel = CheckboxFilter(
        label=_("Best practices only"),
        method="filter_best_practice",
    )
    schlagwort = SemiJoinModelChoiceFilter(
        label=_("Keyword"),
        field_name="keywords",
        to_field_name="slug",
        queryset=published_keywords,
        empty_label=_("All keywords"),
    )
    stellen = _bound_filter(_("Staff needed"), STAFF_BOUNDS, _("Any number"), "filter_staff")
    kosten = _bound_filter(_("Running costs"), COST_BOUNDS, _("Any amount"), "filter_cost")
    startklar = _bound_filter(_("Time to start"), START_BOUNDS, _("Any time"), "filter_start")
    erprobt = _bound_filter(_("Tried in"), TRIED_BOUNDS, _("Counties of any size"), "filter_tried")
    sortierung = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in SORT_ORDERS.items()],
        method="sort",
        empty_label=None,
    )

    class Meta:
        model = Programme
        fields = []

    # The public list searches all published programmes (which search.ranked_ids reads
    # from the search documents alone, whatever the filterset's queryset: a subclass sets
    # this only where that queryset is all published programmes) and keeps what a search
    # found (search.kept); other users of the filters search their own querysets.
    searches_all_published = False
    keeps_searches = False

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(_with_addresses(data, kwargs.get("request")), *args, **kwargs)
        for name in KEPT_CHOICES:
            field = self.form.fields[name]
            field.known = partial(_kept_choices, field, self.request)
        self.search_plan = None
        self.correction = None  # (as typed, searched instead)
        self._corrected = None
        if not (data or {}).get("q", "").strip():
            # Without a query there is nothing to be relevant to.
            field = self.form.fields["sortierung"]
            field.choices = [choice for choice in field.choices if choice[0] != RELEVANCE]

    def plan_search(self, queryset, value):
        """The query's plan, once per list: a word that matches no programme is replaced by
        the most similar word of the portal's vocabulary, unless asked for as typed."""
        if self.search_plan is None or self.search_plan.text not in (value, self._corrected):
            found = self.kept_search(value)
            if found is not None:
                self.search_plan, self.correction = found.plan, found.correction
                self._corrected = found.correction[1] if found.correction else None
                return self.search_plan
            version = content_version(self.request)
            query_plan = search.plan(value, version)
            self._corrected = None
            if self.searches_all_published:
                queryset = None  # search.count_groups and choose_matches read no programme
            search.count_groups(queryset, query_plan)
            unmatched = search.unmatched_groups(query_plan)
            if unmatched and not (self.data or {}).get(AS_TYPED):
                better = search.corrected_text(value, unmatched)
                if better:
                    self.correction = (value, better)
                    self._corrected = better
                    query_plan = search.plan(better, version)
                    search.count_groups(queryset, query_plan)
            search.choose_matches(queryset, query_plan)
            self.search_plan = query_plan
        return self.search_plan

    def get_form_class(self):
        """The form's fields are the same for every list (the keywords' choices a lazy
        query): the class is built once per process, not once per request; each form
        still gets copies of the fields."""
        kind = type(self)
        if "_form_class" not in kind.__dict__:
            kind._form_class = super().get_form_class()
        return kind._form_class

    def search_key(self, value):
        return search_key(self.request, self.data, value)

    def kept_search(self, value):
        """What was found for the search before (search.Found), if this list keeps searches:
        by this process, or by another one (the shared cache)."""
        if not self.keeps_searches:
            return None
        key = self.search_key(value)
        found = search.kept(key)
        if found is None:
            found = shared_value(search.shared_name(key), self.request)
            if found is not None:
                search.keep(key, found)
        return found

    def keep_search(self, found):
        """Keep what the search found, in this process and for the others."""
        if self.keeps_searches:
            key = self.search_key(found.text)
            search.keep(key, found)
            keep_shared(search.shared_name(key), found, self.request)

    def found_ids(self, value):
        """The ids of the programmes the search alone finds, in its order, as
        search.first_ranked gives them: (the first in order, all of them unordered; None
        where the first are all)."""
        if self.searches_all_published:
            return search.first_ranked(self.plan_search(None, value))
        found = self.filters["q"].filter(self.queryset.all(), value)
        return list(found.values_list("pk", flat=True)), None

    def filter_text(self, queryset, name, value):
        return search.search(queryset, value, self.plan_search(queryset, value))

    def sort(self, queryset, name, value):
        order = SORT_ORDERS[value][1]
        if order is None:  # relevance: the search's own order, the newest without a search
            return queryset if self.search_plan else queryset.order_by(*SORT_ORDERS[NEWEST][1])
        return queryset.order_by(*order)

    def filter_best_practice(self, queryset, name, value):
        return queryset.filter(best_practice__is_recognised=True) if value else queryset

    # The card is part of the public profile: only recognised profiles count.
    def filter_staff(self, queryset, name, value):
        return queryset.filter(
            best_practice__is_recognised=True,
            best_practice__staff_fte__lte=_bound(STAFF_BOUNDS, value),
        )

    def filter_cost(self, queryset, name, value):
        return queryset.filter(
            best_practice__is_recognised=True,
            best_practice__running_cost__lt=_bound(COST_BOUNDS, value),
        )

    def filter_start(self, queryset, name, value):
        return queryset.filter(
            best_practice__is_recognised=True,
            best_practice__months_to_start__lte=_bound(START_BOUNDS, value),
        )

    def filter_tried(self, queryset, name, value):
        """Run by a county under the bound, or taken over and published by one."""
        bound = _bound(TRIED_BOUNDS, value)
        adopted_there = Programme.objects.published().filter(
            adapted_from=OuterRef("pk"), county__population__lt=bound
        )
        return queryset.filter(Q(county__population__lt=bound) | Exists(adopted_there))


# Parameters of the list that change how it shows what it finds, not which programmes: the
# page and the order. (The wish to search the words as typed does change what it finds.)
NOT_SEARCH = {"seite", "sortierung"}


def canonical_query(data, keep=()):
    """The list's own filters and search from a query string (plus the parameters in `keep`,
    e.g. the order), in a fixed order, each value at most 200 characters: the same search
    always gives the same text, and nothing else a link carried survives."""
    names = (set(ProgrammeFilter.base_filters) - NOT_SEARCH) | {AS_TYPED, *keep}
    pairs = sorted(
        (key, value.strip()[:200])
        for key, values in data.lists()
        if key in names
        for value in values
        if value.strip()
    )
    query = QueryDict(mutable=True)
    for key, value in dict.fromkeys(pairs):
        query.appendlist(key, value)
    return query.urlencode()
