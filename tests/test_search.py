"""Full-text search: the same analysis and the same behaviour on PostgreSQL and SQLite."""

import io
import json
from array import array
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pyroaring import FrozenBitMap

from portal.cache import forget_local_values
from programmes import search as search_module
from programmes.enums import PublicationState
from programmes.models import Programme, SearchTerm
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("programmes:programme-list")


def titles(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [p.title for p in response.context["object_list"]]


@pytest.fixture
def library(db):
    county = CountyFactory(name="Landkreis Musterhausen")
    ProgrammeFactory(
        county=county,
        title="Sprachkurs für Eltern",
        fields=["language"],
        summary="Deutsch lernen mit Kinderbetreuung.",
    )
    ProgrammeFactory(
        county=county,
        title="Wohnung gesucht",
        fields=["housing"],
        summary="Vermittlung von Wohnraum.",
        description="Förderung durch das Land; Beratung an der Hauptstraße.",
    )
    ProgrammeFactory(
        county=county,
        title="Integrationskurse koordinieren",
        fields=["language"],
        summary="Eine Stelle für alle Kursträger.",
    )
    body = ProgrammeFactory(
        county=county,
        title="Begegnung im Dorf",
        fields=["community"],
        summary="Treffen für alle.",
        description="Nebenbei entstand ein Sprachkurs im Gemeindehaus.",
    )
    body.keywords.add("Patenschaft")
    ProgrammeFactory(
        county=CountyFactory(name="Anderer Kreis"),
        title="Flüchtlinge begleiten",
        fields=["volunteering"],
    )
    ProgrammeFactory(county=county, title="Sprachkurs Entwurf", draft=True)
    return county


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Sprachkurse", "Sprachkurs für Eltern"),  # stemming
        ("Wohnungen", "Wohnung gesucht"),
        ("Foerderung", "Wohnung gesucht"),  # umlaut spelled out
        ("Strasse", "Wohnung gesucht"),  # ß, and the head of the compound Hauptstraße
        ("Fluechtlinge", "Flüchtlinge begleiten"),
        ("FLÜCHTLINGE", "Flüchtlinge begleiten"),  # case never matters
        ("Integration", "Integrationskurse koordinieren"),  # prefix inside a compound
        ("Sprachk", "Sprachkurs für Eltern"),  # a partly typed word
        ("Patenschaft", "Begegnung im Dorf"),  # keywords count
        ("Musterhausen", "Sprachkurs für Eltern"),  # the county's name counts
    ],
)
def test_search_finds_by_meaning_not_spelling(client, library, query, expected):
    found = titles(client, q=query)
    if expected:
        assert expected in found
    assert "Sprachkurs Entwurf" not in found


def test_title_match_ranks_above_body_match(client, library):
    found = titles(client, q="Sprachkurs")
    assert found.index("Sprachkurs für Eltern") < found.index("Begegnung im Dorf")


def test_search_combines_with_filters(client, library):
    assert titles(client, q="Sprachkurs", handlungsfeld="community") == ["Begegnung im Dorf"]


def test_results_show_escaped_highlighted_snippets(client, library):
    ProgrammeFactory(title="Sprachkurs <b>fett</b>", summary="Ein <script>Sprachkurs</script>.")
    page = client.get(LIST_URL, {"q": "Sprachkurs"}).content.decode()
    assert "<mark>Sprachkurs</mark>" in page
    assert "<script>" not in page
    assert "Sprachkurs &lt;b&gt;fett&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("Übergang", "Hilfe beim Übergängen zwischen Schule und Beruf.", "Übergängen"),
        ("Straße", "Treffen in der Hauptstraße und auf Straßenfesten.", "Hauptstraße"),
        ("Cafe", "Das Sprach-Café am Markt.", "Café"),
        ("Kurs", "Viele Deutschkurse für Mütter.", "Deutschkurse"),
        ("Mütter", "Für MÜTTER mit kleinen Kindern.", "MÜTTER"),
    ],
)
def test_snippets_mark_words_spelled_otherwise_and_parts_of_compounds(query, text, marked):
    from programmes import search

    passage = search.snippet(f"Einleitung ohne Treffer. {text}", search.plan(query).terms)
    assert f"<mark>{marked}</mark>" in passage
    assert "<mark>Einleitung</mark>" not in passage


def test_a_mistyped_word_is_searched_corrected_with_a_way_back(client, library):
    response = client.get(LIST_URL, {"q": "Flüchtlnge", "handlungsfeld": "volunteering"})
    assert [p.title for p in response.context["object_list"]] == ["Flüchtlinge begleiten"]
    assert response.context["corrected"] == "flüchtlinge"
    back = response.context["as_typed_query"]
    assert "handlungsfeld=volunteering" in back and "wortgenau=1" in back
    assert "Ergebnisse für „flüchtlinge“" in response.content.decode()
    as_typed = client.get(f"{LIST_URL}?{back}")
    assert as_typed.context["result_count"] == 0
    assert not as_typed.context.get("corrected")


@pytest.mark.parametrize("query", ["!!!", "&|!:*()", "'", "\\", "<>", "-", "***", '"'])
def test_operators_and_punctuation_never_error(client, library, query):
    assert client.get(LIST_URL, {"q": query}).status_code == 200


def test_stop_words_alone_get_a_hint(client, library):
    response = client.get(LIST_URL, {"q": "und der die"})
    assert response.context.get("search_hint")
    assert "sehr häufige Wörter" in response.content.decode()


def test_document_follows_keyword_field_county_and_profile_changes(client, library):
    programme = Programme.objects.get(title="Wohnung gesucht")
    assert "Wohnung gesucht" not in titles(client, q="Jobcoaching")
    programme.keywords.add("Jobcoaching")
    assert "Wohnung gesucht" in titles(client, q="Jobcoaching")

    programme.fields_of_action.add(*programme.fields_of_action.model.objects.filter(slug="work"))
    assert "Wohnung gesucht" in titles(client, q="Arbeit")

    library.name = "Landkreis Neuenheim"
    library.save()
    assert "Wohnung gesucht" in titles(client, q="Neuenheim")

    BestPracticeFactory(programme=programme, approach="Mit Maklerinnen verhandelt.")
    assert "Wohnung gesucht" in titles(client, q="Maklerinnen")


def test_words_for_suggestions_are_collected(library):
    assert SearchTerm.objects.filter(term="sprachkurs").exists()


def test_empty_query_is_no_filter(client, library):
    assert len(titles(client, q="   ")) == 5


@pytest.fixture
def field_texts(db):
    """Texts as counties write them, each showing one difficulty of a typed query."""
    cham = CountyFactory(name="Cham", official_kind="Landkreis", state__name="Bayern")
    made = {
        "frauen": ProgrammeFactory(
            title="Deutsch lernen mit Kind",
            summary="Ein Sprachkurs für Frauen, die Kinder werden im Nebenraum betreut.",
        ),
        "eltern": ProgrammeFactory(
            title="Elternarbeit an Grundschulen", summary="Elternabende mit Sprachmittlung."
        ),
        "platz": ProgrammeFactory(
            title="Begleitung junger Geflüchteter",
            summary="Wir helfen, einen Platz in der Ausbildung zu suchen.",
        ),
        "jmd": ProgrammeFactory(
            title="Beratung junger Zugewanderter", summary="Sprechstunde des JMD im Rathaus."
        ),
        "cham": ProgrammeFactory(
            county=cham, title="Lernwerkstatt Deutsch", summary="Ein Sprachkurs am Abend."
        ),
        "schule": ProgrammeFactory(
            title="Hausaufgabenhilfe", summary="Auch für Mütter, die selbst Deutsch lernen."
        ),
    }
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Frauensprachkurs", "frauen"),  # a compound finds its parts
        ("Arbeit mit Eltern", "eltern"),  # parts find the compound
        ("Ausbildungsplatzsuche", "platz"),  # a compound of a compound finds its parts
        ("Jugendmigrationsdienst", "jmd"),  # a synonym from the editors' list
        ("Muettern", "schule"),  # umlaut typed as ue, inflected
        ("LK Cham", "cham"),  # a county as people write it
        ("Sprachkurs Bayern", "cham"),  # the Land is part of the document
    ],
)
def test_what_officers_type_finds_what_counties_write(client, field_texts, query, expected):
    assert titles(client, q=query)[0] == field_texts[expected].title


def test_words_that_match_nothing_do_not_empty_the_list(client, field_texts):
    found = titles(client, q="Sprachkurs Quantencomputer Frauen")
    assert found[0] == field_texts["frauen"].title  # the most words matched
    assert field_texts["cham"].title in found  # one word is enough to be listed


def test_a_query_naming_a_land_or_county_offers_the_filter(client, field_texts):
    response = client.get(LIST_URL, {"q": "Sprachkurs Bayern"})
    offers = response.context["place_offers"]
    assert [offer["name"] for offer in offers] == ["Bayern"]
    narrowed = client.get(f"{LIST_URL}?{offers[0]['query']}")
    assert [p.title for p in narrowed.context["object_list"]] == ["Lernwerkstatt Deutsch"]
    assert "Nur Programme aus Bayern zeigen" in response.content.decode()


def test_stop_words_are_never_corrected(client, field_texts):
    response = client.get(LIST_URL, {"q": "aus der Grundschulen"})
    assert not response.context.get("corrected")
    assert response.context["object_list"][0].title == field_texts["eltern"].title


def test_relevance_is_the_order_of_a_search_and_not_offered_without_one(client, field_texts):
    searching = client.get(LIST_URL, {"q": "Sprachkurs"})
    choices = searching.context["filter"].form.fields["sortierung"].choices
    assert choices[0] == ("relevanz", "Relevanz")
    browsing = client.get(LIST_URL).content.decode()
    assert 'value="relevanz"' not in browsing
    newest = titles(client, q="Sprachkurs", sortierung="titel")
    assert newest == sorted(newest, key=str.lower)


def test_synonyms_kept_by_editors_apply_to_the_next_search(client, field_texts):
    from programmes.models import SearchSynonym

    assert field_texts["schule"].title not in titles(client, q="Nachhilfe")
    SearchSynonym.objects.create(term="Nachhilfe", synonym="Hausaufgabenhilfe")
    assert titles(client, q="Nachhilfe")[0] == field_texts["schule"].title


@pytest.mark.parametrize(
    "query",
    [
        " ".join(["Sprachkurs"] * 1000)[:200],
        "Sprach\x00kurs",
        "🙂 Sprachkurs 🙂",
        "((( OR AND NOT )))",
        'NEAR("a" "b")',
        "col:value",
        "a* b* c*",
        # Compatibility characters decompose into spaces, brackets or nothing at all.
        "\u037a",
        "\u037a\u037a\u037a\u037a",
        "\uff9e",
        "\ufdfa a",
        "\u2474\u2475",
        "Kita \u2474\u2475",
        "\u00bd\u00bd Sprachkurs",
        "Sprach\u200bkurs",
        "'Sprachkurs' \\ Wohnung",
    ],
)
def test_odd_queries_get_a_page(client, field_texts, query):
    assert client.get(LIST_URL, {"q": query}).status_code == 200
    # The open data of the same search streams to its end.
    response = client.get(reverse("programmes:data-json"), {"q": query})
    assert response.status_code == 200
    assert "programmes" in json.loads(b"".join(response.streaming_content))
    response = client.get(reverse("programmes:data-csv"), {"q": query})
    assert response.status_code == 200 and b"".join(response.streaming_content).strip()


def test_a_very_long_query_asks_the_index_for_a_bounded_number_of_words():
    from programmes.search import MAX_TERMS, plan

    long_plan = plan(" ".join(f"Wort{n}abc" for n in range(500)))
    assert 0 < len(long_plan.terms) <= MAX_TERMS


def test_editors_keep_the_synonym_list_with_history_and_staff_cannot(
    client, editor, staff_a, field_texts
):
    from programmes.models import SearchSynonym

    assert SearchSynonym.objects.count() >= 60  # the starter list from the field
    client.force_login(staff_a)
    assert client.get(reverse("admin:programmes_searchsynonym_changelist")).status_code == 403

    client.force_login(editor)
    response = client.post(
        reverse("admin:programmes_searchsynonym_add"),
        {"term": "Lernhilfe", "synonym": "Hausaufgabenhilfe"},
    )
    assert response.status_code == 302
    synonym = SearchSynonym.objects.get(term="Lernhilfe")
    assert synonym.history.count() == 1
    client.logout()
    assert titles(client, q="Lernhilfe")[0] == field_texts["schule"].title


def test_a_synonym_of_stop_words_only_does_no_harm(client, field_texts):
    from programmes.models import SearchSynonym

    SearchSynonym.objects.create(term="Hausaufgabenhilfe", synonym="für die")
    assert titles(client, q="Hausaufgabenhilfe")[0] == field_texts["schule"].title


def test_when_enough_programmes_have_all_words_the_others_are_left_out(
    client, monkeypatch, settings
):
    from programmes import search

    settings.PUBLIC_PAGE_CACHE = False  # the same address twice, computed each time
    for index in range(3):
        ProgrammeFactory(title=f"Lesepaten im Stadtteil {index}", summary="Lesepaten lesen vor.")
    ProgrammeFactory(title="Lesepaten", summary="Ehrenamtliche lesen in der Kita vor.")
    ProgrammeFactory(title="Stadtteilarbeit", summary="Treffpunkt im Stadtteil.")

    monkeypatch.setattr(search.matching, "ENOUGH", 1000)  # a small portal: partial matches count
    found = titles(client, q="Lesepaten Stadtteil")
    assert len(found) == 5
    assert all("Stadtteil" in title for title in found[:3])

    monkeypatch.setattr(search.matching, "ENOUGH", 3)  # a large one: three have both words
    # What a search found is kept until the content changes, in the process and the cache.
    search.forget_kept()
    forget_local_values()
    cache.clear()
    found = titles(client, q="Lesepaten Stadtteil")
    assert sorted(found) == [f"Lesepaten im Stadtteil {index}" for index in range(3)]


def test_a_search_is_answered_from_what_the_process_found_until_the_content_changes(
    client, library, settings
):
    """Another order, page or filter of a search reads the ranked ids kept by this process
    or another one, with the correction it made; a published change is found by the next
    request."""
    from programmes import search

    settings.PUBLIC_PAGE_CACHE = False
    index = (
        search.PostgresBackend.DOCUMENTS
        if connection.vendor == "postgresql"
        else search.SQLITE_TABLE
    )
    first = client.get(LIST_URL, {"q": "Flüchtlnge"})
    assert [p.title for p in first.context["object_list"]] == ["Flüchtlinge begleiten"]
    for params in [
        {"q": "Flüchtlnge", "sortierung": "titel"},  # the facet counts are kept as well
        {"q": "Flüchtlnge", "handlungsfeld": "volunteering", "seite": "1"},
    ]:
        with CaptureQueriesContext(connection) as queries:
            again = client.get(LIST_URL, params)
        assert not [query for query in queries if index in query["sql"]], params
        assert [p.title for p in again.context["object_list"]] == ["Flüchtlinge begleiten"]
        assert again.context["corrected"] == "flüchtlinge"
        # The snippet, marked by the kept plan.
        assert again.context["object_list"][0].snippet == first.context["object_list"][0].snippet
        search.forget_kept()  # the next request goes to another process: the shared cache

    ProgrammeFactory(title="Flüchtlinge willkommen heißen", fields=["volunteering"])
    found = titles(client, q="Flüchtlnge", sortierung="titel")
    assert found == ["Flüchtlinge begleiten", "Flüchtlinge willkommen heißen"]


def test_a_one_word_search_reads_the_documents_once_and_a_typo_twice(client, library, settings):
    """Whether one word matches at all (for the correction of a typo) comes with its ranked
    matches on PostgreSQL, where the list reads them from the documents' own table."""
    from programmes import search

    if connection.vendor != "postgresql":
        pytest.skip("the documents have a table of their own on PostgreSQL only")
    settings.PUBLIC_PAGE_CACHE = False
    for text, expected, statements in [
        ("Gemeindehaus", "Begegnung im Dorf", 1),
        ("Patenschft", "Begegnung im Dorf", 2),  # nothing, then the corrected word
    ]:
        with CaptureQueriesContext(connection) as queries:
            found = titles(client, q=text)
        assert found[0] == expected
        reads = [query for query in queries if search.PostgresBackend.DOCUMENTS in query["sql"]]
        assert len(reads) == statements, text


def test_a_search_that_requires_the_rarer_words_still_orders_by_the_others(
    client, monkeypatch, settings
):
    """With enough programmes having the rarer words, only they are listed, read by their
    ids (search.choose_matches); a match with the commoner word too, in its long text
    only (which the rank does not read), comes first, as in the filters' own query."""
    from programmes import search
    from programmes.filters import ProgrammeFilter

    settings.PUBLIC_PAGE_CACHE = False
    monkeypatch.setattr(search.matching, "ENOUGH", 3)
    for index in range(4):
        programme = ProgrammeFactory(
            title=f"Lesepaten im Stadtteil {index}",
            summary="Vorlesen für Kinder.",
            description="Wir lesen vor." + (" Danach Treffpunkt im Café." if index == 0 else ""),
        )
        programme.published_at -= timedelta(days=10 - index)  # the one with both: oldest
        programme.save()
    for index in range(6):
        ProgrammeFactory(title=f"Treffpunkt {index}", summary="Offener Treffpunkt.")
    expected = ["Lesepaten im Stadtteil 0", *(f"Lesepaten im Stadtteil {i}" for i in (3, 2, 1))]
    assert titles(client, q="Lesepaten Stadtteil Treffpunkt") == expected
    filterset = ProgrammeFilter(
        {"q": "Lesepaten Stadtteil Treffpunkt"}, queryset=Programme.objects.published()
    )
    assert filterset.is_valid()
    assert [programme.title for programme in filterset.qs] == expected


def test_a_withdrawn_programme_leaves_the_search_at_once_and_returns_when_published(
    client, library, settings
):
    """The list's search reads from the search documents alone whether a programme is
    published and when: every save writes them."""
    from programmes import search

    settings.PUBLIC_PAGE_CACHE = False
    programme = ProgrammeFactory(title="Nähcafé für Mütter")
    older = ProgrammeFactory(title="Nähcafé im Quartier")
    older.published_at -= timedelta(days=3)
    older.save()
    newest_first = [programme.pk, older.pk]
    assert search.ranked_ids(search.plan("Nähcafé")) == newest_first
    programme.publication_state = PublicationState.DRAFT
    programme.save()
    assert search.ranked_ids(search.plan("Nähcafé")) == [older.pk]
    assert titles(client, q="Nähcafé") == ["Nähcafé im Quartier"]
    programme.publication_state = PublicationState.PUBLISHED
    programme.save()
    assert search.ranked_ids(search.plan("Nähcafé")) == newest_first
    older.published_at += timedelta(days=30)  # published again, later
    older.save()
    assert search.ranked_ids(search.plan("Nähcafé")) == newest_first[::-1]
    assert titles(client, q="Nähcafé") == ["Nähcafé im Quartier", "Nähcafé für Mütter"]


def test_the_process_keeps_the_newest_versions_searches_up_to_a_number_of_ids(monkeypatch):
    from programmes import search

    monkeypatch.setattr(search.kept_searches, "KEPT_IDS", 10)

    def found(count):  # holds its ids twice: in order and as a set
        return search.Found(
            "Wort", None, None, array("I", range(count)), FrozenBitMap(range(count))
        )

    def key(version, text):
        return ("default", version, text, False)

    search.keep(key(1, "a"), found(2))
    search.keep(key(1, "b"), found(2))
    assert search.kept(key(1, "a")) is not None  # used again: "b" is now the oldest
    search.keep(key(1, "c"), found(2))
    assert search.kept(key(1, "b")) is None
    assert search.kept(key(1, "a")) is not None and search.kept(key(1, "c")) is not None
    search.keep(key(2, "a"), found(1))  # a new version: the older ones are never asked again
    assert search.kept(key(1, "a")) is None and search.kept(key(1, "c")) is None
    assert len(search.kept(key(2, "a")).ids) == 1
    search.keep(key(1, "d"), found(1))  # begun before the change: not kept
    assert search.kept(key(1, "d")) is None and search.kept(key(2, "a")) is not None
    # Searches that find nothing cost no ids, but their number is bounded too.
    monkeypatch.setattr(search.kept_searches, "KEPT_SEARCHES", 3)
    for text in ["x", "y", "z", "w"]:
        search.keep(key(2, text), found(0))
    assert search.kept(key(2, "a")) is None and search.kept(key(2, "x")) is None
    assert all(search.kept(key(2, text)) is not None for text in ["y", "z", "w"])


def test_with_the_rarer_words_required_the_other_words_still_decide_the_order(
    client, monkeypatch, settings
):
    """Three words, too few programmes have all: the two rarer are required, and a
    programme that has the third as well comes first (those parts of the score that every
    listed programme has are constants, the third word is looked up)."""
    from programmes import search

    settings.PUBLIC_PAGE_CACHE = False
    # The oldest, the third word only in its description, the two others not in its title:
    # by rank alone it would come last.
    ProgrammeFactory(
        title="Alles drei", summary="Lesepaten im Quartier.", description="In der Bibliothek."
    )
    for index in range(3):
        ProgrammeFactory(title=f"Lesepaten im Quartier {index}", summary="Lesepaten im Quartier.")
    for index in range(4):
        ProgrammeFactory(title=f"Bücherei {index}", summary="Bibliothek für alle.")
    monkeypatch.setattr(search.matching, "ENOUGH", 3)
    found = titles(client, q="Lesepaten Quartier Bibliothek")
    assert found[0] == "Alles drei"
    assert sorted(found[1:]) == [f"Lesepaten im Quartier {index}" for index in range(3)]


# Four words, the rarest first: which of them each programme has, how many such programmes.
WORD_SETS = [
    ({1, 2, 3, 4}, 2),  # the oldest: by rank alone they would come after the next three
    ({1, 2, 3}, 3),
    ({1, 2}, 3),
    ({1, 4}, 1),
    ({2, 3, 4}, 2),
    ({3, 4}, 4),
    ({4}, 5),
]  # with all four: 2; with the three rarest: 5; with the two rarest: 8


@pytest.mark.parametrize(
    ("enough", "common", "listed"),
    [
        (2, 2000, 2),
        (3, 2000, 5),
        (5, 2000, 5),
        (6, 2000, 8),
        (8, 2000, 8),
        (9, 2000, 20),
        (3, 10, 5),
        (6, 10, 8),
        (9, 10, 9),  # none enough: only the one word that is not common brings any in
    ],
)
def test_a_long_query_requires_the_words_enough_programmes_have_as_the_filters_do(
    client, monkeypatch, settings, enough, common, listed
):
    """The list reads its matches by their ids, all words but the commonest first, and
    narrows them to those with the commonest word too; the filters' own query counts them.
    Both require the same words and list the same programmes in the same order. With words
    held by `common` programmes or more counted as common, the list finds them so from the
    words' numbers (SearchLexeme), the filters by counting, and the two still agree."""
    from programmes import search
    from programmes.filters import ProgrammeFilter
    from programmes.models import Programme

    settings.PUBLIC_PAGE_CACHE = False
    monkeypatch.setattr(search.matching, "FREQUENCY_CAP", common)
    words = {1: "Laterne", 2: "Trommel", 3: "Kompass", 4: "Gitarre"}
    number = 0
    for chosen, count in WORD_SETS:
        for _ in range(count):
            number += 1
            ProgrammeFactory(
                title=f"Angebot {number}",
                summary=" ".join(words[word] for word in sorted(chosen) if word != 4),
                # The commonest word in the long text only, which the rank does not read.
                description="Mit Gitarre." if 4 in chosen else "Ohne.",
            )
    monkeypatch.setattr(search.matching, "ENOUGH", enough)
    text = "Laterne Trommel Kompass Gitarre"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, {"q": text})
    if connection.vendor == "postgresql":
        # At 10, Trommel (10 programmes), Kompass (11) and Gitarre (14) are common: only
        # Laterne (9) is counted.
        counts = [query["sql"] for query in queries if "SELECT COUNT(*)" in query["sql"]]
        assert len(counts) == 1
        assert counts[0].count("SELECT COUNT(*)") == (1 if common == 10 else 4)
    shown = [programme.pk for programme in response.context["object_list"]]
    filterset = ProgrammeFilter({"q": text}, queryset=Programme.objects.published())
    assert filterset.is_valid()
    assert response.context["paginator"].count == listed
    assert shown == list(filterset.qs.values_list("pk", flat=True))[: len(shown)]
    if listed < 20:
        # Those with every word first, the oldest of all, by the score of the commonest.
        assert {p.title for p in response.context["object_list"][:2]} == {
            "Angebot 1",
            "Angebot 2",
        }


def _lexemes_by_count():
    from programmes.models import SearchLexeme

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat("
            "'SELECT search_vector FROM programmes_searchdocument WHERE published')"
        )
        counted = dict(cursor.fetchall())
    kept = dict(SearchLexeme.objects.exclude(documents=0).values_list("lexeme", "documents"))
    return kept, counted


def _words_by_count():
    from django.db.models import Count

    from programmes.models import SearchWord

    counted = dict(
        SearchTerm.objects.values("term").annotate(n=Count("pk")).values_list("term", "n")
    )
    kept = dict(SearchWord.objects.exclude(programmes=0).values_list("word", "programmes"))
    return kept, counted


def test_the_numbers_of_the_words_follow_every_change_of_the_documents(library):
    """How many published programmes hold each word of the index, and each word of the
    correction vocabulary, is what counting them gives, after a programme is created,
    published, edited, withdrawn, deleted."""
    from programmes.models import SearchLexeme, SearchWord

    if connection.vendor != "postgresql":
        pytest.skip("the words are numbered on PostgreSQL only")

    def agree():
        words, counted_words = _words_by_count()
        assert words == counted_words and words
        kept, counted = _lexemes_by_count()
        assert kept == counted
        return kept

    assert agree()["sprachkur"] == 2  # the stem of Sprachkurs
    draft = ProgrammeFactory(draft=True, title="Laternenumzug", summary="Mit Laternen.")
    assert "laternenumzug" not in agree()
    draft.publication_state = PublicationState.PUBLISHED
    draft.published_at = draft.created_at
    draft.save()
    assert agree()["laternenumzug"] == 1
    draft.title = "Sprachkurs am Abend"
    draft.save()
    kept = agree()
    assert "laternenumzug" not in kept and kept["sprachkur"] == 3
    draft.publication_state = PublicationState.ARCHIVED
    draft.save()
    assert agree()["sprachkur"] == 2
    Programme.objects.filter(title="Sprachkurs für Eltern").delete()
    assert agree()["sprachkur"] == 1
    assert SearchLexeme.objects.filter(documents__lt=0).count() == 0
    assert SearchWord.objects.filter(programmes__lt=0).count() == 0
    # Counted anew by update_search_index, after a change the triggers did not see.
    SearchLexeme.objects.update(documents=5000)
    SearchWord.objects.all().delete()
    call_command("update_search_index", stdout=io.StringIO())
    assert agree()["sprachkur"] == 1
    # Emptying the tables empties the numbers.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks pending in the test's transaction
        cursor.execute("TRUNCATE programmes_searchdocument, programmes_searchterm")
    assert not SearchLexeme.objects.exists() and not SearchWord.objects.exists()


def test_only_a_published_programme_waits_for_the_lock_of_the_word_counts():
    """Saves that change the counts take their turn at one lock; a draft changes none."""
    if connection.vendor != "postgresql":
        pytest.skip("the words are numbered on PostgreSQL only")

    def held():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    ProgrammeFactory(draft=True, title="Entwurf")
    assert held() == 0
    ProgrammeFactory(title="Veröffentlicht")
    assert held() == 1


def test_a_kept_plan_holds_no_ids():
    """The ids a plan carries for one request are not pickled with a kept search."""
    import pickle

    from programmes import search

    query_plan = search.plan("Sprachkurs Frauen")
    query_plan.ranked, query_plan.match_ids = [3, 2, 1], [1, 2]
    kept = pickle.loads(pickle.dumps(query_plan))
    assert (kept.ranked, kept.match_ids) == (None, None)
    assert kept.text == "Sprachkurs Frauen" and kept.terms == query_plan.terms
    assert query_plan.ranked == [3, 2, 1]  # the plan itself keeps them


@pytest.mark.parametrize(
    ("text", "by_ids"),
    [
        ("Laternenlauf", search_module.matching.RANKED_BY_IDS),
        ("Laternenlauf", 2),  # the rest ranked with all matches, then narrowed
        ("Laternenlauf Trommel", search_module.matching.RANKED_BY_IDS),  # scored: more words first
        ("Laternenlauf Trommel", 2),
    ],
)
def test_a_search_ranks_its_first_matches_at_once_and_the_others_when_a_page_needs_them(
    client, monkeypatch, settings, text, by_ids
):
    """The list ranks the first FIRST_RANKED matches and takes the others' order from the
    database when a page, or a filter, reaches past them: every page and every filter shows
    the programmes in the order of the filters' own query."""
    from programmes import search
    from programmes.filters import ProgrammeFilter
    from programmes.models import FieldOfAction

    settings.PUBLIC_PAGE_CACHE = False
    monkeypatch.setattr(search.matching, "FIRST_RANKED", 3)
    monkeypatch.setattr(search.matching, "RANKED_BY_IDS", by_ids)
    monkeypatch.setattr(
        search.matching, "ENOUGH", 100
    )  # never enough with both words: either will do
    for index in range(26):
        programme = ProgrammeFactory(
            # The word in the title of some, in the summary of others, in the long text of
            # the rest; each kind in both fields of action, published on different days; the
            # second word in some of each.
            title=f"Laternenlauf {index}" if index % 3 == 0 else f"Angebot {index}",
            summary="Ein Laternenlauf." if index % 3 == 1 else "Für alle.",
            description="Mit Laternenlauf am Abend." + (" Trommel." if index % 4 == 0 else ""),
            fields=["language" if index % 2 else "housing"],
        )
        programme.published_at -= timedelta(days=index * 7 % 26)
        programme.save()
    ProgrammeFactory(title="Trommelkurs", description="Trommel.")  # the second word alone
    language = FieldOfAction.objects.get(slug="language").address
    for params, new in [
        ({"q": text, "handlungsfeld": language}, True),
        ({"q": text}, False),  # the first three kept by the one before, the rest now
        ({"q": text, "seite": "2"}, True),
        ({"q": text, "seite": "2"}, False),  # all in order, kept by the one before
    ]:
        if new:
            search.forget_kept()
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, params)
        if connection.vendor == "postgresql":
            # Every read of the documents with the planner told to use the indexes.
            sql = [query["sql"] for query in queries]
            reads = [i for i, text in enumerate(sql) if search.PostgresBackend.DOCUMENTS in text]
            told = [i for i, text in enumerate(sql) if "enable_seqscan = off" in text]
            assert all(told and min(told) < read for read in reads), params
            assert bool(reads) == (params != {"q": text, "seite": "2"} or new)
        shown = [programme.pk for programme in response.context["object_list"]]
        data = QueryDict(mutable=True)
        data.update({key: value for key, value in params.items() if key != "seite"})
        filterset = ProgrammeFilter(data, queryset=Programme.objects.published())
        assert filterset.is_valid()
        expected = list(filterset.qs.values_list("pk", flat=True))
        page = int(params.get("seite", 1))
        assert shown == expected[(page - 1) * 20 : page * 20], params
        assert response.context["paginator"].count == len(expected)
    assert len(shown) == (7 if " " in text else 6)


def test_drafts_do_not_move_published_programmes_in_the_ranking(client, db):
    """How a match ranks may depend on the other programmes (SQLite's bm25 weighs a word by
    how many documents hold it); it must depend on the published ones only, or the order of
    the results would tell of drafts."""
    county = CountyFactory()
    ProgrammeFactory(county=county, title="Lotsen im Alltag", summary="Lotsen, Lotsen, Paten.")
    ProgrammeFactory(county=county, title="Paten im Alltag", summary="Paten, Paten, Lotsen.")
    before = titles(client, q="Lotsen Paten")
    assert sorted(before) == ["Lotsen im Alltag", "Paten im Alltag"]
    for number in range(12):
        ProgrammeFactory(county=county, title=f"Paten {number}", summary="Paten Paten", draft=True)
    forget_local_values()
    cache.clear()
    assert titles(client, q="Lotsen Paten") == before
    for number in range(12):
        ProgrammeFactory(county=county, title=f"Lotsen {number}", summary="Lotsen", draft=True)
    forget_local_values()
    cache.clear()
    assert titles(client, q="Lotsen Paten") == before
