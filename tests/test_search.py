"""Full-text search on PostgreSQL; the simpler fallback on SQLite."""

import pytest
from django.db import connection
from django.urls import reverse

from programmes.models import Programme, SearchTerm
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("programmes:programme-list")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search needs PostgreSQL"
)


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


@postgres_only
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Sprachkurse", "Sprachkurs für Eltern"),  # stemming
        ("Wohnungen", "Wohnung gesucht"),
        ("Foerderung", "Wohnung gesucht"),  # umlaut spelled out
        ("Strasse", None),  # ß: Hauptstraße is a compound, found through the folded text
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


@postgres_only
def test_title_match_ranks_above_body_match(client, library):
    found = titles(client, q="Sprachkurs")
    assert found.index("Sprachkurs für Eltern") < found.index("Begegnung im Dorf")


@postgres_only
def test_search_combines_with_filters(client, library):
    assert titles(client, q="Sprachkurs", handlungsfeld="community") == ["Begegnung im Dorf"]


@postgres_only
def test_results_show_escaped_highlighted_snippets(client, library):
    ProgrammeFactory(title="Sprachkurs <b>fett</b>", summary="Ein <script>Sprachkurs</script>.")
    page = client.get(LIST_URL, {"q": "Sprachkurs"}).content.decode()
    assert "<mark>Sprachkurs</mark>" in page
    assert "<script>" not in page
    assert "Sprachkurs &lt;b&gt;fett&lt;/b&gt;" in page


@postgres_only
def test_typo_offers_did_you_mean(client, library):
    response = client.get(LIST_URL, {"q": "Flüchtlnge", "handlungsfeld": "volunteering"})
    assert response.context["result_count"] == 0
    assert response.context["suggestion"] == "flüchtlinge"
    assert "handlungsfeld=volunteering" in response.context["suggestion_query"]
    assert "Meinten Sie" in response.content.decode()


@postgres_only
@pytest.mark.parametrize("query", ["!!!", "&|!:*()", "'", "\\", "<>", "-", "***", '"'])
def test_operators_and_punctuation_never_error(client, library, query):
    assert client.get(LIST_URL, {"q": query}).status_code == 200


@postgres_only
def test_stop_words_alone_get_a_hint(client, library):
    response = client.get(LIST_URL, {"q": "und der die"})
    assert response.context.get("search_hint")
    assert "sehr häufige Wörter" in response.content.decode()


@postgres_only
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


@postgres_only
def test_words_for_suggestions_are_collected(library):
    assert SearchTerm.objects.filter(term="sprachkurs").exists()


def test_empty_query_is_no_filter(client, library):
    assert len(titles(client, q="   ")) == 5


def test_sqlite_fallback_finds_words_case_insensitively(client, library):
    found = titles(client, q="FLÜCHTLINGE")
    assert found == ["Flüchtlinge begleiten"]
    assert "Wohnung gesucht" in titles(client, q="förderung")
    assert "Begegnung im Dorf" in titles(client, q="gemeindehaus")
