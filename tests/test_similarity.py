import pytest

from counties.models import CountyCategory
from counties.similarity import similar_counties
from tests.factories import CountyFactory, ProgrammeFactory, StateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def constructed():
    """Known answer: same category first, then closeness, then the same Land."""
    home, away = StateFactory(code="01"), StateFactory(code="02")

    def county(name, population, state, category=CountyCategory.LANDKREIS):
        return CountyFactory(
            name=name, population=population, area_km2=1000, state=state, category=category
        )

    me = county("Mein Kreis", 100_000, home)
    return {
        "me": me,
        "twin_here": county("Zwilling hier", 110_000, home),
        "twin_away": county("Zwilling dort", 110_000, away),
        "bigger": county("Größer", 400_000, home),
        "city": county("Stadt gleicher Größe", 100_000, home, CountyCategory.KREISFREIE_STADT),
    }


def test_similar_counties_rank_category_then_closeness_then_land(constructed):
    ranked = similar_counties(constructed["me"], limit=4)
    assert [c.name for c in ranked] == [
        "Zwilling hier",
        "Zwilling dort",
        "Größer",
        "Stadt gleicher Größe",
    ]


def test_a_county_is_never_similar_to_itself(constructed):
    assert constructed["me"] not in similar_counties(constructed["me"], limit=10)


def test_county_profile_shows_similar_counties_that_publish(client, constructed):
    page = client.get(constructed["me"].get_absolute_url())
    assert page.context["similar"] == []
    assert "Kein vergleichbarer Kreis veröffentlicht" in page.content.decode()

    for key in ["twin_here", "twin_away", "city"]:
        ProgrammeFactory(county=constructed[key])
    page = client.get(constructed["me"].get_absolute_url())
    assert [c.name for c in page.context["similar"]] == [
        "Zwilling hier",
        "Zwilling dort",
        "Stadt gleicher Größe",
    ]  # "Größer" publishes nothing
    assert "Vergleichbare Kreise" in page.content.decode()


def test_practice_from_comparable_counties(client, constructed):
    ProgrammeFactory(county=constructed["twin_here"], title="Bei den Nachbarn", fields=["work"])
    ProgrammeFactory(county=constructed["twin_here"], title="Wohnen nebenan", fields=["housing"])
    ProgrammeFactory(county=constructed["twin_away"], title="Entwurf dort", draft=True)
    ProgrammeFactory(county=constructed["me"], title="Mein eigenes")

    response = client.get("/vergleichbare-kreise/", {"kreis": "Mein Kreis (Landkreis)"})
    titles = {p.title for p in response.context["programmes"]}
    assert titles == {"Bei den Nachbarn", "Wohnen nebenan"}

    response = client.get(
        "/vergleichbare-kreise/", {"kreis": constructed["me"].slug, "handlungsfeld": "work"}
    )
    assert [p.title for p in response.context["programmes"]] == ["Bei den Nachbarn"]


def test_unknown_county_name_offers_candidates(client, constructed):
    response = client.get("/vergleichbare-kreise/", {"kreis": "Zwilling"})
    assert response.status_code == 200
    assert response.context["county"] is None
    assert {c.name for c in response.context["candidates"]} == {"Zwilling hier", "Zwilling dort"}
    assert "Meinten Sie" in response.content.decode()


def test_programme_page_shows_comparable_counties_programmes(client, constructed):
    mine = ProgrammeFactory(county=constructed["me"], fields=["language"])
    # Four programmes of the same county fill "related"; the comparable section adds others.
    ProgrammeFactory.create_batch(4, county=constructed["me"], fields=["language"])
    theirs = ProgrammeFactory(
        county=constructed["twin_away"], title="Sprache dort", fields=["language"]
    )
    ProgrammeFactory(county=constructed["twin_away"], title="Anderes Feld", fields=["work"])
    response = client.get(mine.get_absolute_url())
    assert list(response.context["comparable"]) == [theirs]


@pytest.mark.parametrize("typed", ["Landkreis Cham", "LK Cham", "Kreis Cham", "Lkr. Cham", "cham"])
def test_counties_are_found_as_people_write_them(client, typed):
    cham = CountyFactory(name="Cham", category=CountyCategory.LANDKREIS)
    CountyFactory(name="Chamerau, Stadt", category=CountyCategory.KREISFREIE_STADT)
    response = client.get("/vergleichbare-kreise/", {"kreis": typed})
    assert response.context["county"] == cham


def test_the_own_county_shows_its_real_programme_count(client, constructed):
    ProgrammeFactory.create_batch(2, county=constructed["me"])
    ProgrammeFactory(county=constructed["me"], draft=True)
    ProgrammeFactory(county=constructed["twin_here"])
    response = client.get("/vergleichbare-kreise/", {"kreis": constructed["me"].slug})
    assert response.context["own_count"] == 2
    assert [c.name for c in response.context["similar"]] == ["Zwilling hier"]


def test_counties_like_mine_is_in_the_navigation_and_on_the_home_page(client):
    home = client.get("/").content.decode()
    assert home.count('href="/vergleichbare-kreise/"') >= 1  # the main navigation
    assert 'action="/vergleichbare-kreise/"' in home
    assert "Kreise wie meiner" in home
