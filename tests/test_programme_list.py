import pytest
from django.urls import reverse
from taggit.models import Tag

from counties.models import County, CountyCategory, State
from programmes.models import Programme, TargetGroup
from tests.factories import (
    BestPracticeFactory,
    CountyFactory,
    FundingFactory,
    ProgrammeFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db
LIST_URL = reverse("programmes:programme-list")


@pytest.fixture
def world():
    """Four published programmes and a draft in two states, each with something unique."""
    bavaria = StateFactory(code="09", name="Bayern", slug="bayern")
    saxony = StateFactory(code="14", name="Sachsen", slug="sachsen")
    cham = CountyFactory(state=bavaria, name="Cham", slug="cham")
    leipzig = CountyFactory(
        state=saxony,
        name="Leipzig, Stadt",
        slug="leipzig-stadt",
        category=CountyCategory.KREISFREIE_STADT,
        official_kind="Kreisfreie Stadt",
    )
    women = TargetGroup.objects.get(slug="women")
    housing = ProgrammeFactory(county=cham, title="Wohnraumbörse", fields=["housing"])
    language = ProgrammeFactory(
        county=cham, title="Sprachkurskoordination", fields=["language"], status="permanent"
    )
    language.target_groups.add(women)
    language.keywords.add("Integrationskurs")
    work = ProgrammeFactory(county=leipzig, title="Ausbildungslotsen", fields=["work", "school"])
    FundingFactory(programme=work, level="eu", programme_name="ESF Plus")
    both = ProgrammeFactory(
        county=leipzig, title="Elterncafé", fields=["school", "community"], status="planned"
    )
    BestPracticeFactory(programme=both)
    draft = ProgrammeFactory(county=cham, title="Geheimer Entwurf", fields=["housing"], draft=True)
    return {"housing": housing, "language": language, "work": work, "both": both, "draft": draft}


def titles(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return {programme.title for programme in response.context["object_list"]}


def test_list_shows_published_programmes_and_hides_drafts(client, world):
    assert titles(client) == {
        "Wohnraumbörse",
        "Sprachkurskoordination",
        "Ausbildungslotsen",
        "Elterncafé",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"handlungsfeld": "housing"}, {"Wohnraumbörse"}),
        ({"handlungsfeld": ["housing", "language"]}, {"Wohnraumbörse", "Sprachkurskoordination"}),
        ({"handlungsfeld": "school"}, {"Ausbildungslotsen", "Elterncafé"}),
        ({"zielgruppe": "women"}, {"Sprachkurskoordination"}),
        ({"land": "sachsen"}, {"Ausbildungslotsen", "Elterncafé"}),
        (
            {"land": ["sachsen", "bayern"]},
            {"Wohnraumbörse", "Sprachkurskoordination", "Ausbildungslotsen", "Elterncafé"},
        ),
        ({"kreis": "cham"}, {"Wohnraumbörse", "Sprachkurskoordination"}),
        ({"kategorie": "kreisfreie_stadt"}, {"Ausbildungslotsen", "Elterncafé"}),
        ({"status": "permanent"}, {"Sprachkurskoordination"}),
        ({"status": ["permanent", "planned"]}, {"Sprachkurskoordination", "Elterncafé"}),
        ({"foerderung": "eu"}, {"Ausbildungslotsen"}),
        ({"praxisbeispiel": "on"}, {"Elterncafé"}),
        ({"schlagwort": "integrationskurs"}, {"Sprachkurskoordination"}),
        ({"q": "lotsen"}, {"Ausbildungslotsen"}),
        ({"q": "LEIPZIG"}, {"Ausbildungslotsen", "Elterncafé"}),
        ({"q": "WOHNRAUMBÖRSE"}, {"Wohnraumbörse"}),
        ({"q": "Entwurf"}, set()),
    ],
)
def test_each_filter_narrows_the_list(client, world, params, expected):
    assert titles(client, **params) == expected


def test_filters_combine_with_and_across_and_or_within(client, world):
    assert titles(client, handlungsfeld=["school", "housing"], land="sachsen") == {
        "Ausbildungslotsen",
        "Elterncafé",
    }
    assert titles(client, handlungsfeld="school", land="sachsen", praxisbeispiel="on") == {
        "Elterncafé"
    }
    assert titles(client, handlungsfeld="housing", land="sachsen") == set()


def test_list_says_how_many_programmes_match(client, world):
    response = client.get(LIST_URL, {"land": "sachsen"})
    assert "2 Programme gefunden" in response.content.decode()


def test_active_filters_show_as_removable_chips(client, world):
    response = client.get(
        LIST_URL, {"land": "sachsen", "handlungsfeld": "school", "sortierung": "titel"}
    )
    chips = {chip.value: chip.remove_query for chip in response.context["chips"]}

    assert set(chips) == {"Sachsen", "Schule und Bildung"}
    assert "land" not in chips["Sachsen"]
    assert "handlungsfeld=school" in chips["Sachsen"]
    assert "sortierung=titel" in chips["Sachsen"]


@pytest.mark.parametrize(
    ("sort", "first"),
    [("titel", "Ausbildungslotsen"), ("kreis", "Sprachkurskoordination")],
)
def test_list_sorts(client, world, sort, first):
    response = client.get(LIST_URL, {"sortierung": sort})
    assert response.context["object_list"][0].title in {first, "Wohnraumbörse"}
    ordered = [p.title for p in response.context["object_list"]]
    if sort == "titel":
        assert ordered == sorted(ordered)
    else:
        assert [p.county.name for p in response.context["object_list"]] == [
            "Cham",
            "Cham",
            "Leipzig, Stadt",
            "Leipzig, Stadt",
        ]


def test_newest_first_by_default(client, world):
    world["housing"].published_at = world["housing"].published_at.replace(year=2030)
    world["housing"].save()
    response = client.get(LIST_URL)
    assert response.context["object_list"][0].title == "Wohnraumbörse"


def test_pagination_keeps_filters(client, db, settings):
    county = CountyFactory()
    ProgrammeFactory.create_batch(25, county=county, fields=["language"])
    ProgrammeFactory(county=county, fields=["housing"])

    response = client.get(LIST_URL, {"handlungsfeld": "language", "seite": "2"})

    page = response.content.decode()
    assert response.context["page_obj"].number == 2
    assert len(response.context["object_list"]) == 5
    assert "handlungsfeld=language&amp;seite=1" in page


@pytest.mark.parametrize(
    "params",
    [
        {"seite": "abc"},
        {"seite": "9999"},
        {"seite": "-1"},
        {"handlungsfeld": "gibt-es-nicht"},
        {"kreis": "nirgendwo"},
        {"status": "vielleicht"},
        {"sortierung": "zufall"},
        {"q": "x" * 5000},
        {"q": "Wohn\x00raum"},
        {"kreis": "\x00"},
        {"handlungsfeld": "\x00"},
        {"q": "'; DROP TABLE programmes_programme; --"},
        {"q": "%_\\[]*?<script>"},
        {"praxisbeispiel": "vielleicht"},
        {"schlagwort": "ü" * 300},
    ],
)
def test_bad_input_gives_a_normal_page(client, world, params):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert Programme.objects.count() == 5


def test_ignored_input_is_named(client, world):
    response = client.get(LIST_URL, {"handlungsfeld": "gibt-es-nicht", "seite": "abc"})

    notices = " ".join(response.context["notices"])
    assert "Handlungsfeld" in notices
    assert "abc" in notices
    assert len(response.context["object_list"]) == 4


def test_empty_result_says_what_to_do(client, world):
    response = client.get(LIST_URL, {"q": "Raumfahrt"})
    page = response.content.decode()
    assert "Kein Programm passt zu diesen Filtern" in page
    assert "Alle Programme anzeigen" in page


def test_script_in_query_is_escaped(client, world):
    response = client.get(LIST_URL, {"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in response.content.decode()


def test_query_count_does_not_grow_with_rows(client, db, django_assert_max_num_queries):
    county = CountyFactory()
    for _ in range(20):
        programme = ProgrammeFactory(county=county, fields=["housing", "work"])
        BestPracticeFactory(programme=programme)
    Tag.objects.create(name="Wohnraum", slug="wohnraum")

    client.get(LIST_URL)  # reads the facet index of this content version (test_facets)
    # The page and its filter choices; the facet counts need none: none per row.
    with django_assert_max_num_queries(14):
        response = client.get(LIST_URL, {"handlungsfeld": "housing", "land": county.state.slug})
    assert len(response.context["object_list"]) == 20


def test_a_filtered_page_of_known_filters_costs_three_queries(
    client, db, settings, django_assert_num_queries
):
    """Once the values of a content version are kept (facet counts, the filters' terms and
    Länder, the counties), a filtered page reads the versions, its cards, and their fields
    of action: no query to check a filter, no join for a county or Land."""
    county = CountyFactory()
    for _ in range(25):
        ProgrammeFactory(county=county, fields=["housing"], status="running")
    params = {"handlungsfeld": "wohnen", "land": county.state.slug, "status": "running"}
    settings.PUBLIC_PAGE_CACHE = False  # the page itself, not its cached copy
    client.get(LIST_URL, params)
    with django_assert_num_queries(3):
        response = client.get(LIST_URL, params)
    page = response.content.decode()
    assert len(response.context["object_list"]) == 20
    assert f"{county.name} · {county.state.name}" in page


def test_states_and_counties_exist_for_filters(counties, client):
    response = client.get(LIST_URL)
    form = response.context["filter"].form
    assert len(form.fields["land"].queryset) == State.objects.count() == 16
    assert form.fields["kreis"].queryset.count() == County.objects.count() == 400


def test_an_unknown_value_does_not_drop_the_known_ones(client, world):
    response = client.get(LIST_URL, {"handlungsfeld": ["housing", "foo"], "land": "bayern"})

    assert {p.title for p in response.context["object_list"]} == {"Wohnraumbörse"}
    assert any("„foo“" in notice for notice in response.context["notices"])


@pytest.mark.parametrize(("value", "expected"), [("on", 1), ("1", 1), ("0", 4), ("off", 4)])
def test_best_practice_checkbox_understands_yes_and_no(client, world, value, expected):
    response = client.get(LIST_URL, {"praxisbeispiel": value})
    assert len(response.context["object_list"]) == expected
    assert response.context["notices"] == []


def test_a_nonsense_checkbox_value_is_ignored_and_named(client, world):
    response = client.get(LIST_URL, {"praxisbeispiel": "vielleicht"})
    assert len(response.context["object_list"]) == 4
    assert "Nur Praxisbeispiele" in " ".join(response.context["notices"])


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_pages_below_one_show_the_first_page(client, db, page):
    ProgrammeFactory.create_batch(25, county=CountyFactory())
    response = client.get(LIST_URL, {"seite": page})
    assert response.context["page_obj"].number == 1


def test_removing_all_filters_keeps_the_sort_order(client, world):
    response = client.get(LIST_URL, {"land": "bayern", "sortierung": "titel"})
    assert response.context["clear_query"] == "sortierung=titel"
    assert 'href="/programme/?sortierung=titel"' in response.content.decode()


def test_title_sort_ignores_case(client, db):
    county = CountyFactory()
    for title in ["integration durch Sport", "Integration Point", "Ausbildung"]:
        ProgrammeFactory(county=county, title=title)
    response = client.get(LIST_URL, {"sortierung": "titel"})
    assert [p.title for p in response.context["object_list"]] == [
        "Ausbildung",
        "integration durch Sport",
        "Integration Point",
    ]


def test_county_choices_name_the_kind(client, counties):
    form = client.get(LIST_URL).context["filter"].form
    labels = [label for _value, label in form.fields["kreis"].choices]
    assert "Heilbronn (Landkreis)" in labels
    assert "Heilbronn (Stadtkreis)" in labels


def test_facets_count_each_choice_under_the_other_filters(client, world):
    response = client.get(LIST_URL, {"land": "sachsen", "handlungsfeld": "school"})
    facets = response.context["facets"]
    # Fields: counted with the Land filter only (its own filter left out).
    assert facets["handlungsfeld"] == {
        "arbeit-und-ausbildung": 1,
        "schule-und-bildung": 2,
        "gesellschaftliches-zusammenleben": 1,
    }
    # Länder: counted with the field filter only.
    assert facets["land"] == {"sachsen": 2}
    assert facets["status"] == {"running": 1, "planned": 1}
    assert facets["praxisbeispiel"] == {"on": 1}
    page = response.content.decode()
    assert 'Sprache <span class="facet-count">(0)</span>' in page
    # A group with a choice adds up ("or"): its empty choices stay clickable.
    assert 'value="sprache" id="id_handlungsfeld_1">' in page
    # A group without a choice: an empty choice would give nothing, so it is disabled.
    assert 'value="asylsuchende" id="id_zielgruppe_0" disabled' in page


# With a search on PostgreSQL, three of them are the transaction in which the planner is told
# to take the matches from the search index (programmes.search.index_scans). A search also
# asks once which of its words match nothing (to correct them), and reads the synonym list
# and the names of Länder and counties once per content version. The facet index takes eleven
# more once per content version (tests/test_facets.py).
LIST_QUERY_BUDGET = 21
FACET_INDEX_QUERIES = 11


def test_facet_queries_stay_within_a_fixed_budget(client, db, django_assert_max_num_queries):
    county = CountyFactory()
    for index in range(30):
        programme = ProgrammeFactory(county=county, fields=["housing", "work"])
        programme.keywords.add(f"Stichwort {index}")
    client.get(LIST_URL)  # the facet index of this content version
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        client.get(LIST_URL, {"handlungsfeld": "housing", "status": "running", "q": "Programm"})


@pytest.mark.parametrize(
    "params",
    [{}, {"handlungsfeld": "housing", "status": "running"}, {"q": "Programm"}],
)
def test_list_queries_do_not_grow_with_programmes_shown(client, db, settings, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE = False  # the page itself, not its cached copy
    county = CountyFactory()

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(LIST_URL, params)
        return len(queries)

    for index in range(3):
        ProgrammeFactory(county=county).keywords.add(f"Stichwort {index}")
    small = count()
    for index in range(40):
        ProgrammeFactory(county=county, fields=["housing", "work"]).keywords.add(f"Wort {index}")
    # Each count follows a change of content: the facet index is read again.
    assert count() == small <= LIST_QUERY_BUDGET + FACET_INDEX_QUERIES


def test_the_county_filter_lists_publishing_counties_by_land(client, db):
    from counties.models import County

    bayern_county = CountyFactory(name="Cham", official_kind="Landkreis", state__name="Bayern")
    other = CountyFactory(name="Stillkreis", official_kind="Landkreis", state__name="Sachsen")
    ProgrammeFactory.create_batch(3, county=bayern_county)
    assert County.objects.count() >= 2
    page = client.get(LIST_URL).content.decode()
    select = page[page.index('name="kreis"') : page.index("</select>", page.index('name="kreis"'))]
    assert '<optgroup label="Bayern">' in select
    assert "Cham – Landkreis (3)</option>" in select
    assert other.name not in select  # publishes nothing
    assert ") (" not in select  # no double brackets
    chosen = client.get(LIST_URL, {"kreis": other.slug}).content.decode()
    assert f'value="{other.slug}" selected' in chosen  # a chosen county stays listed


def test_filters_speak_german_and_still_take_the_stable_codes(client, db):
    ProgrammeFactory(title="Wohnraumbörse", fields=["housing"])
    ProgrammeFactory(title="Sprachkurse", fields=["language"])
    german = client.get(LIST_URL, {"handlungsfeld": "wohnen"})
    code = client.get(LIST_URL, {"handlungsfeld": "housing"})  # open data's code, old links
    for response in (german, code):
        assert [p.title for p in response.context["object_list"]] == ["Wohnraumbörse"]
    assert not code.context["notices"]


def test_a_programme_linked_to_several_chosen_values_is_listed_once(
    client, django_assert_max_num_queries
):
    """Fields of action, target groups, fundings and keywords are asked for as a semi-join:
    a programme in two chosen fields counts once, and the list needs no DISTINCT."""
    both = ProgrammeFactory(title="Beides", fields=["housing", "work"])
    both.keywords.add("Patenschaft")
    FundingFactory(programme=both, level="federal")
    FundingFactory(programme=both, level="federal", programme_name="Zweite Förderung")
    ProgrammeFactory(title="Nur Wohnen", fields=["housing"])
    response = client.get(
        LIST_URL,
        {
            "handlungsfeld": ["wohnen", "arbeit"],
            "foerderung": "federal",
            "schlagwort": "patenschaft",
        },
    )
    assert [p.title for p in response.context["object_list"]] == ["Beides"]
    assert response.context["result_count"] == 1
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(LIST_URL, {"handlungsfeld": ["wohnen", "arbeit"], "seite": "1"})
    listing = [
        q["sql"] for q in queries.captured_queries if 'FROM "programmes_programme"' in q["sql"]
    ]
    assert listing and not any("SELECT DISTINCT" in sql for sql in listing)
