"""The facet counts against the filters themselves: for every choice of every facet, the
count is the number of programmes the list would show with that choice and the other
applied filters, on varied data and combinations of filters."""

import random

import pytest
from taggit.models import Tag

from counties.models import CountyCategory, State
from programmes.enums import FundingLevel, ProgrammeStatus
from programmes.facets import FACETS, NOT_FILTERS, SEARCH, build_index
from programmes.filters import (
    COST_BOUNDS,
    SORT_ORDERS,
    STAFF_BOUNDS,
    START_BOUNDS,
    TRIED_BOUNDS,
    ProgrammeFilter,
)
from programmes.models import FieldOfAction, Programme, TargetGroup
from programmes.views import ProgrammeListView

from .factories import (
    BestPracticeFactory,
    CountyFactory,
    FundingFactory,
    ProgrammeFactory,
    StateFactory,
)

LIST_URL = "/programme/"
WORDS = ["Wohnung", "Sprachkurs", "Ausbildung", "Ehrenamt", "Familien"]
KEYWORDS = ["Integrationskurs", "Patenschaft", "Wohnraum"]


@pytest.fixture
def varied(db):
    """Forty programmes in six counties of three Länder, with everything a facet counts,
    drafts among them, drawn from a fixed seed."""
    rng = random.Random(8)
    states = [
        StateFactory(code=code, name=name, slug=slug)
        for code, name, slug in [("09", "Bayern", "bayern"), ("14", "Sachsen", "sachsen")]
    ] + [StateFactory(code="05", name="Nordrhein-Westfalen", slug="nordrhein-westfalen")]
    counties = [
        CountyFactory(
            state=states[number % 3],
            population=rng.choice([60_000, 120_000, 200_000, 400_000]),
            category=rng.choice(CountyCategory.values),
        )
        for number in range(6)
    ]
    fields = list(FieldOfAction.objects.values_list("slug", flat=True))
    groups = list(TargetGroup.objects.all())
    programmes = []
    for number in range(40):
        programme = ProgrammeFactory(
            county=rng.choice(counties),
            title=f"{rng.choice(WORDS)} {number}",
            status=rng.choice(ProgrammeStatus.values),
            fields=rng.sample(fields, rng.randint(0, 3)),
            draft=rng.random() < 0.2,
        )
        programme.target_groups.set(rng.sample(groups, rng.randint(0, 2)))
        for level in rng.sample(FundingLevel.values, rng.randint(0, 2)):
            FundingFactory(programme=programme, level=level)
            if rng.random() < 0.2:  # two fundings of one level count once
                FundingFactory(programme=programme, level=level)
        programme.keywords.add(*rng.sample(KEYWORDS, rng.randint(0, 2)))
        if rng.random() < 0.4:
            BestPracticeFactory(
                programme=programme,
                is_recognised=rng.random() < 0.7,
                staff_fte=rng.choice([None, "0.5", "1.0", "1.5", "3.0"]),
                running_cost=rng.choice([None, 5_000, 10_000, 30_000, 80_000]),
                months_to_start=rng.choice([None, 2, 3, 6, 9, 24]),
            )
        if programmes and rng.random() < 0.25:  # taken over from an earlier one
            programme.adapted_from = rng.choice(programmes)
            programme.save()
        programmes.append(programme)
    return rng


def _choices():
    return {
        "handlungsfeld": list(FieldOfAction.objects.values_list("address", flat=True)),
        "zielgruppe": list(TargetGroup.objects.values_list("address", flat=True)),
        "land": list(State.objects.values_list("slug", flat=True)),
        "kreis": list(Programme.objects.values_list("county__slug", flat=True).distinct()),
        "kategorie": list(CountyCategory.values),
        "status": list(ProgrammeStatus.values),
        "foerderung": list(FundingLevel.values),
        "schlagwort": list(Tag.objects.values_list("slug", flat=True)),
        "praxisbeispiel": ["on"],
        "stellen": [sent for sent, _bound, _label in STAFF_BOUNDS],
        "kosten": [sent for sent, _bound, _label in COST_BOUNDS],
        "startklar": [sent for sent, _bound, _label in START_BOUNDS],
        "erprobt": [sent for sent, _bound, _label in TRIED_BOUNDS],
    }


MULTIPLE = {"handlungsfeld", "zielgruppe", "land", "status", "foerderung"}


def _listed(params):
    filterset = ProgrammeFilter(params, queryset=Programme.objects.published())
    assert filterset.is_valid(), filterset.errors
    return len(set(filterset.qs.values_list("pk", flat=True)))


def _expected(params, choices):
    counts = {}
    for name in FACETS:
        others = {key: value for key, value in params.items() if key != name}
        counts[name] = {
            value: number
            for value in choices[name]
            if (number := _listed({**others, name: [value] if name in MULTIPLE else value}))
        }
    return counts, _listed(params)


def _combinations(rng, choices):
    yield {}
    yield {"q": "Wohnung"}
    for _ in range(14):
        params = {}
        for name in rng.sample(sorted(choices), rng.randint(1, 3)):
            if name in MULTIPLE:
                params[name] = rng.sample(choices[name], rng.randint(1, 2))
            else:
                params[name] = rng.choice(choices[name])
        if rng.random() < 0.3:
            params["q"] = rng.choice(WORDS)
        yield params


def test_every_count_is_what_its_filter_would_list(client, varied):
    choices = _choices()
    for params in _combinations(varied, choices):
        response = client.get(LIST_URL, params)
        assert response.status_code == 200
        counts, total = _expected(params, choices)
        assert response.context["facets"] == counts, params
        assert response.context["paginator"].count == total, params


def test_the_index_is_read_in_the_same_number_of_queries_at_any_size(
    varied, django_assert_num_queries
):
    with django_assert_num_queries(11):
        small = build_index()
    for _ in range(30):
        programme = ProgrammeFactory(fields=["housing", "work"])
        programme.keywords.add("Wohnraum")
        BestPracticeFactory(programme=programme)
    with django_assert_num_queries(11):
        larger = build_index()
    assert len(larger.published) == len(small.published) + 30
    assert len(larger.values["schlagwort"]["wohnraum"]) >= 30


def _pages(client, params):
    """The ids of every page of the list, in order."""
    shown, page = [], 1
    while True:
        response = client.get(LIST_URL, {**params, "seite": page})
        shown += [programme.pk for programme in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return shown
        page += 1


def test_the_list_shows_what_the_database_would_in_its_order(client, varied, monkeypatch):
    """The list's ids come from the facet index, for a search from what its counts found;
    they are those of the filters' own query, in the same order, on every page (a later page
    of a search, its counts kept, asks the database as before)."""
    monkeypatch.setattr(ProgrammeListView, "paginate_by", 7)
    choices = _choices()
    orders = ["", *(key for key, (_label, order) in SORT_ORDERS.items() if order is not None)]
    searches = [
        {"q": "Wohnung", "land": ["bayern"]},
        {"q": "Wohnung Patenschaft Ehrenamt"},  # matches of one, two or three words
        {"q": "Familien Integrationskurs", "status": ["running"]},
    ]
    for params in [*_combinations(varied, choices), *searches]:
        for order in orders + (["relevanz"] if "q" in params else []):
            query = {**params, "sortierung": order} if order else params
            filterset = ProgrammeFilter(
                query,
                queryset=Programme.objects.published().order_by("-published_at", "title", "pk"),
            )
            assert filterset.is_valid()
            assert _pages(client, query) == list(filterset.qs.values_list("pk", flat=True)), query


def test_every_filter_of_the_list_but_the_search_is_in_the_index():
    """The facet index answers every filter but the search; a new filter needs its facet."""
    assert set(ProgrammeFilter.base_filters) == {*FACETS, SEARCH, *NOT_FILTERS}
