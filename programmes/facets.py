"""Facet counts: how many programmes each choice of a filter would give, the other active
filters applied.

For every value of every filter, the published programmes that have it are kept as a
compressed bitmap of their ids (Roaring, from pyroaring): the facet index, built once per
content version from a few grouped reads and kept in each process. A request then asks the
database only for what the index cannot know, the ids that the search's words match; every
count is an intersection in memory. A facet whose filter is not in use counts against all
applied filters, one whose filter is in use against all the others, so that its other
choices show what they would add. The work is the same at 1,000 or 100,000 programmes;
counting in SQL read every link table once per request (350-700 ms at 100,000)."""

from array import array
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from pyroaring import BitMap, FrozenBitMap
from taggit.models import TaggedItem

from counties.models import County
from portal.cache import cached_value, content_version

from . import search
from .filters import (
    COST_BOUNDS,
    NEWEST,
    RELEVANCE,
    SORT_ORDERS,
    STAFF_BOUNDS,
    START_BOUNDS,
    TRIED_BOUNDS,
)
from .models import BestPracticeProfile, Funding, Programme

NOT_FILTERS = {"sortierung"}
BEST_PRACTICE = "praxisbeispiel"
CHECKED = "on"  # the value a checkbox sends, and the key of its count
FACETS = (
    "handlungsfeld",
    "zielgruppe",
    "land",
    "kreis",
    "kategorie",
    "status",
    "foerderung",
    "schlagwort",
    BEST_PRACTICE,
    "stellen",
    "kosten",
    "startklar",
    "erprobt",
)
# The transferability card's filters: the profile's column, how it meets the bound, the bounds.
CARD_FACETS = {
    "stellen": (1, "at most", STAFF_BOUNDS),
    "kosten": (2, "under", COST_BOUNDS),
    "startklar": (3, "at most", START_BOUNDS),
}
EMPTY = FrozenBitMap()


@dataclass(frozen=True)
class FacetIndex:
    published: FrozenBitMap
    values: dict  # facet → {value as the filter receives it: FrozenBitMap of programme ids}
    orders: dict  # order of the list → the published programmes' ids in that order


def _meets(number, how, bound):
    if number is None:
        return False
    return number <= bound if how == "at most" else number < bound


def build_index():
    """The facet index of the published programmes, read in eleven queries."""
    found = {name: defaultdict(list) for name in FACETS}
    rows = list(Programme.objects.published().values_list("pk", "county_id", "status"))
    published = FrozenBitMap(pk for pk, _county, _status in rows)
    counties = {
        pk: rest
        for pk, *rest in County.objects.values_list(
            "pk", "slug", "state__slug", "category", "population"
        )
    }
    population = {}
    for pk, county_id, status in rows:
        slug, state, category, people = counties[county_id]
        found["kreis"][slug].append(pk)
        found["land"][state].append(pk)
        found["kategorie"][category].append(pk)
        found["status"][status].append(pk)
        population[pk] = people
    links = {
        "handlungsfeld": Programme.fields_of_action.through.objects.values_list(
            "fieldofaction__address", "programme_id"
        ),
        "zielgruppe": Programme.target_groups.through.objects.values_list(
            "targetgroup__address", "programme_id"
        ),
        "foerderung": Funding.objects.values_list("level", "programme_id"),
        "schlagwort": TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Programme)
        ).values_list("tag__slug", "object_id"),
    }
    for name, pairs in links.items():
        for value, pk in pairs:
            found[name][value].append(pk)
    # Only recognised profiles are public, and so only they count.
    for row in BestPracticeProfile.objects.filter(is_recognised=True).values_list(
        "programme_id", "staff_fte", "running_cost", "months_to_start"
    ):
        found[BEST_PRACTICE][CHECKED].append(row[0])
        for name, (column, how, bounds) in CARD_FACETS.items():
            for sent, bound, _label in bounds:
                if _meets(row[column], how, bound):
                    found[name][sent].append(row[0])
    # Tried in small counties: run by one, or taken over and published by one.
    adoptions = list(
        Programme.objects.published()
        .filter(adapted_from__isnull=False)
        .values_list("adapted_from_id", "county__population")
    )
    for sent, bound, _label in TRIED_BOUNDS:
        found["erprobt"][sent] = [pk for pk, people in population.items() if people < bound]
        found["erprobt"][sent] += [pk for pk, people in adoptions if people < bound]
    values = {}
    for name, groups in found.items():
        bitmaps = ((value, FrozenBitMap(ids) & published) for value, ids in groups.items())
        values[name] = {str(value): ids for value, ids in bitmaps if value is not None and ids}
    # The list's orders as the database sorts (the ids of a list without a search), held
    # like the search's ids (_found) as the bitmaps hold them.
    orders = {
        name: array(
            "I", Programme.objects.published().order_by(*order).values_list("pk", flat=True)
        )
        for name, (_label, order) in SORT_ORDERS.items()
        if order is not None
    }
    return FacetIndex(published=published, values=values, orders=orders)


def _active(filterset):
    cleaned = getattr(filterset.form, "cleaned_data", {})
    return {
        name: value
        for name, value in cleaned.items()
        if name not in NOT_FILTERS and value not in (None, "", [], False)
    }


def _keys(filter_, value):
    """The index's keys for a filter's cleaned value: chosen objects by the field the filter
    names them by (its to_field_name), strings as they are, a ticked checkbox as CHECKED."""
    if value is True:
        return [CHECKED]
    chosen = value if isinstance(value, (list, tuple, set)) else [value]
    attribute = filter_.extra.get("to_field_name", "pk")
    return [str(getattr(item, attribute) if isinstance(item, Model) else item) for item in chosen]


SEARCH = "q"  # the one filter the index cannot answer (tests/test_facets.py holds the rest)
FOUND = "_facets_found"  # what the search found (search.Found), kept on the filterset


def _found(filterset, text):
    """What the search alone finds (search.Found): what was kept of this search (the public
    list's, by this process or another), else one pass over the search index, kept for the
    counts, the page, and later requests."""
    found = getattr(filterset, FOUND, None)
    if found is None or found.text != text:
        found = filterset.kept_search(text)
        if found is None:
            ordered, every = filterset.found_ids(text)
            ids = array("I", ordered)  # as the bitmaps hold them
            found = search.Found(
                text,
                filterset.search_plan,
                filterset.correction,
                ids,
                FrozenBitMap(ids if every is None else every),
            )
            filterset.keep_search(found)
        setattr(filterset, FOUND, found)
    return found


def _matching(index, filterset, name, value):
    """The programmes one applied filter lets through: from the index, or what the search
    finds."""
    if name == SEARCH:
        return _found(filterset, value).bitmap
    known = index.values[name]
    keys = _keys(filterset.filters[name], value)
    return BitMap.union(EMPTY, *(known.get(key, EMPTY) for key in keys))


# The index of the newest content version this process has seen, per database.
_kept = {}


def forget_index():
    """For tests, whose databases each start a new count of versions."""
    _kept.clear()


def facet_index(request=None):
    """The index of the current content version: kept in this process like an index of the
    database, and in the shared cache, so that one process builds it for all."""
    version = (connection.alias, content_version(request))
    index = _kept.get(version)
    if index is None:
        index = cached_value("facet-index", build_index, request=request, single=True)
        _kept.clear()
        _kept[version] = index
    return index


def facet_counts(filterset):
    """({facet: {value: count}}, number of matching programmes) of the filterset's list."""
    index = facet_index(filterset.request)
    active = _active(filterset)
    applied = {name: _matching(index, filterset, name, value) for name, value in active.items()}

    def matches(skip=None):
        return FrozenBitMap.intersection(
            index.published, *(ids for name, ids in applied.items() if name != skip)
        )

    everything = matches()
    counts = {}
    for name in FACETS:
        base = matches(name) if name in applied else everything
        counts[name] = {
            value: number
            for value, ids in index.values.get(name, {}).items()
            if (number := base.intersection_cardinality(ids))
        }
    return counts, len(everything)


class InOrder:
    """The ids a list shows, in its order, as the paginator reads them: a page is found by
    walking the kept order and keeping the ids the filters let through. Where the order
    holds only the first of the matches (search.first_ranked), `rest` puts the others in
    order when a page reaches past them: those the filters let through, not all."""

    def __init__(self, order, matches, total, rest=None):
        self.order, self.matches, self.total, self.rest = order, matches, total, rest

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, part):
        start, stop = part.start or 0, part.stop
        if self.rest is None and len(self.matches) == len(self.order):  # the order itself
            return list(self.order[start:stop])
        found, seen = [], 0
        for pk in self.order:
            if pk in self.matches:
                if seen >= start:
                    found.append(pk)
                seen += 1
                if seen >= stop:
                    return found
        if self.rest is not None and seen < self.total:
            others = self.matches - FrozenBitMap(self.order)
            found += self.rest(others)[max(start - seen, 0) : stop - seen]
        return found


def _ranked_after(filterset, found, others):
    """These matches of the search, which come after its first ranked ones, in order. All
    of them (the list without other filters) are kept with the first, for the next page.
    The search may have been kept by a request before: this one's queries then are not
    told to prefer the indexes (views.ProgrammeListView.get), which ranking needs."""
    with search.index_scans():
        ranked = search.ranked_ids(found.plan, among=others)
    if len(others) == len(found.bitmap) - len(found.ids):
        # Its own passages: other threads may still add to the first one's while it is kept.
        complete = replace(
            found, ids=array("I", [*found.ids, *ranked]), passages=dict(found.passages)
        )
        filterset.keep_search(complete)
        setattr(filterset, FOUND, complete)
    return ranked


def listed(filterset):
    """The ids of the list in its order: from the facet index, and for a search from what
    it found (`_found`), which its facet counts read too."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    index = facet_index(filterset.request)
    active = _active(filterset)
    chosen = cleaned.get("sortierung")
    rest = None
    if chosen not in (None, "", RELEVANCE):
        order = index.orders[chosen]
    elif SEARCH not in active:
        order = index.orders[NEWEST]
    else:
        found = _found(filterset, active[SEARCH])
        order = found.ids
        if len(found.ids) < len(found.bitmap):
            rest = partial(_ranked_after, filterset, found)
    applied = (_matching(index, filterset, name, value) for name, value in active.items())
    matches = FrozenBitMap.intersection(index.published, *applied)
    return InOrder(order, matches, len(matches), rest)
