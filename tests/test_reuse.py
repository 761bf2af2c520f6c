"""Feeds, sitemap, robots.txt, open data and statistics: published content only, correct."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.utils import timezone

from counties.models import County
from programmes.models import Programme
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory, StateFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(db):
    bavaria = StateFactory(code="09", name="Bayern", slug="bayern")
    cham = CountyFactory(state=bavaria, name="Cham", slug="cham", ags="09372")
    visible = ProgrammeFactory(county=cham, title="Sichtbar", fields=["housing"])
    visible.keywords.add("Wohnraum")
    BestPracticeFactory(
        programme=ProgrammeFactory(county=cham, title="Vorbild", fields=["language"])
    )
    ProgrammeFactory(county=cham, title="Entwurf", fields=["housing"], draft=True)
    ProgrammeFactory(county=cham, title="Archiviert", publication_state="archived")
    return cham


def feed_titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/feeds/programme/", {"Sichtbar (Cham)", "Vorbild (Cham)"}),
        ("/feeds/praxisbeispiele/", {"Vorbild (Cham)"}),
        ("/feeds/handlungsfelder/wohnen/", {"Sichtbar (Cham)"}),
        ("/feeds/laender/bayern/", {"Sichtbar (Cham)", "Vorbild (Cham)"}),
        ("/feeds/kreise/cham/", {"Sichtbar (Cham)", "Vorbild (Cham)"}),
    ],
)
def test_feeds_are_atom_and_hold_only_published_programmes(client, world, url, expected):
    assert set(feed_titles(client, url)) == expected


def test_unknown_feed_is_404(client, world):
    assert client.get("/feeds/kreise/atlantis/").status_code == 404


def test_pages_link_their_feeds(client, world):
    page = client.get(world.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in page
    assert "/feeds/kreise/cham/" in page
    assert "/feeds/laender/bayern/" in page


SITEMAP_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"


def _sitemap_locations(client):
    """Every address of every page of the sitemap index."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [loc.text.split("testserver", 1)[1] for loc in index.iter(SITEMAP_LOC)]
    assert pages and all("/sitemap-" in page for page in pages)
    locations = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        locations |= {loc.text for loc in ET.fromstring(response.content).iter(SITEMAP_LOC)}
    return locations


def test_sitemap_lists_public_pages_only(client, world):
    locations = _sitemap_locations(client)
    assert any(url.endswith("/programme/sichtbar/") or "programm-" in url for url in locations)
    assert all("entwurf" not in url.lower() for url in locations)
    published = {p.get_absolute_url() for p in Programme.objects.published()}
    assert {url.split("testserver", 1)[1] for url in locations} >= published
    assert any(url.endswith("/kreise/cham/") for url in locations)


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_detail_pages_have_canonical_and_open_graph(client, world):
    programme = Programme.objects.get(title="Sichtbar")
    page = client.get(programme.get_absolute_url()).content.decode()
    canonical = f"{settings.PORTAL_BASE_URL}{programme.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert '<meta property="og:title" content="Sichtbar">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="description" content="Kurzbeschreibung des Programms.">' in page


def test_csv_export_holds_published_programmes_and_honours_filters(client, world):
    response = client.get("/programme/daten.csv", {"handlungsfeld": "housing"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Sichtbar"]
    assert rows[0]["county_ags"] == "09372"
    assert rows[0]["keywords"] == "Wohnraum"
    assert "Destatis" in rows[0]["county_figures_source"]


def test_json_export_names_licence_and_source(client, world):
    document = json.loads(client.get("/programme/daten.json").getvalue())
    assert document["count"] == 2
    assert {p["title"] for p in document["programmes"]} == {"Sichtbar", "Vorbild"}
    assert document["licence"].startswith("CC BY 4.0")
    assert "Destatis" in document["county_figures_source"]
    assert {p["best_practice"] for p in document["programmes"]} == {True, False}
    sichtbar = next(p for p in document["programmes"] if p["title"] == "Sichtbar")
    assert sichtbar["fields_of_action"] == ["housing"]
    assert sichtbar["keywords"] == ["Wohnraum"]


def test_open_data_is_streamed_in_chunks_with_every_programme_once(
    client, db, monkeypatch, django_assert_num_queries
):
    from programmes import opendata

    monkeypatch.setattr(opendata, "CHUNK_SIZE", 4)
    for number in range(10):
        ProgrammeFactory(title=f"Programm {number}", fields=["housing", "work"]).keywords.add(
            f"Schlagwort {number}"
        )
    # One query read chunk by chunk (a cursor), started before the response is, and per
    # chunk of 4 (3 for 10 programmes) one each for fields, target groups, keywords, staff
    # roles, required partners and adoptions while it streams.
    with django_assert_num_queries(2):  # the content version and the rows
        response = client.get("/programme/daten.csv")
    assert response.streaming
    with django_assert_num_queries(3 * 6):
        rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert sorted(row["title"] for row in rows) == [f"Programm {n}" for n in range(10)]
    assert {row["fields_of_action"] for row in rows} == {"housing;work"}
    assert sorted(row["keywords"] for row in rows) == [f"Schlagwort {n}" for n in range(10)]


def test_open_data_whose_query_fails_is_an_error_not_a_cut_off_file(client, db, monkeypatch):
    from django.db import DatabaseError

    from programmes import opendata

    def failing(items):
        raise DatabaseError("the rows could not be read")
        yield  # a generator, as the real one

    ProgrammeFactory()
    monkeypatch.setattr(opendata, "_chunks", failing)
    for path in ["/programme/daten.csv", "/programme/daten.json"]:
        with pytest.raises(DatabaseError):  # raised by the view, before a byte is sent
            client.get(path)


def test_open_data_json_streams_one_valid_document(client, db, monkeypatch):
    from programmes import opendata

    monkeypatch.setattr(opendata, "CHUNK_SIZE", 2)
    for number in range(5):
        ProgrammeFactory(title=f"Programm „{number}“")
    response = client.get("/programme/daten.json")
    assert response.streaming
    document = json.loads(response.getvalue())
    assert document["count"] == 5
    assert sorted(p["title"] for p in document["programmes"]) == [
        f"Programm „{n}“" for n in range(5)
    ]


def test_open_data_of_an_empty_filter_is_a_valid_document(client, world):
    document = json.loads(client.get("/programme/daten.json", {"q": "Quallenzucht"}).getvalue())
    assert (document["count"], document["programmes"]) == (0, [])
    text = client.get("/programme/daten.csv", {"q": "Quallenzucht"}).getvalue().decode("utf-8-sig")
    assert text.splitlines() == [text.splitlines()[0]] and '"slug"' in text


@pytest.mark.parametrize("url", ["/programme/daten.csv", "/programme/daten.json"])
def test_open_data_answers_a_repeated_request_with_304_until_content_changes(
    client, world, settings, url
):
    settings.PUBLIC_PAGE_CACHE = False  # the tag does not depend on the page cache
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (first.status_code, again.status_code, again.content) == (200, 304, b"")
    ProgrammeFactory(county=world, title="Neu")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "Neu" in changed.getvalue().decode("utf-8-sig")


def test_open_data_page_documents_every_field(client):
    page = client.get("/offene-daten/").content.decode()
    for name in ["county_ags", "fields_of_action", "best_practice", "county_figures_source"]:
        assert f"<code>{name}</code>" in page
    assert "CC BY 4.0" in page


def test_statistics_match_the_database(client, world, counties):
    response = client.get("/statistik/")
    assert response.status_code == 200
    tables = {table.slug: table for table in response.context["tables"]}
    by_state = {row[0]: row[1:] for row in tables["kreise-nach-land"].rows}
    assert by_state["Bayern"] == (1, County.objects.filter(state__name="Bayern").count())
    assert by_state["Hessen"] == (0, 26)
    by_field = dict(tables["programme-nach-handlungsfeld"].rows)
    assert by_field["Wohnen"] == 1
    assert by_field["Sprache"] == 1
    quarters = tables["neu-je-quartal"].rows
    assert sum(n for _label, n in quarters) == Programme.objects.published().count()
    page = response.content.decode()
    # Seven tables; the most adopted practices have no chart while nothing was taken over.
    assert page.count("<svg") == 6
    assert page.count('role="img"') == 6


def test_quarters_are_counted_by_publication_date(client, world):
    Programme.objects.filter(title="Sichtbar").update(
        published_at=timezone.make_aware(datetime(2025, 2, 10))
    )
    rows = dict(client.get("/statistik/").context["tables"][3].rows)
    assert rows["1. Q. 2025"] == 1


def test_statistics_csv(client, world):
    response = client.get("/statistik/programme-nach-handlungsfeld.csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Handlungsfeld,Veröffentlichte Programme"
    assert "Wohnen,1" in lines
    assert client.get("/statistik/gibt-es-nicht.csv").status_code == 404


def test_sitemap_pages_give_address_day_and_frequency_of_each_programme(client, db):
    from portal.sitemaps import urlset

    late = ProgrammeFactory()
    # Late in the evening in UTC is the next day in Berlin, the portal's time zone.
    Programme.objects.filter(pk=late.pk).update(updated_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    other = ProgrammeFactory()
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    page = ET.fromstring(client.get("/sitemap-programmes.xml").content)
    entries = {
        url.find(SITEMAP_LOC).text: (url.find(f"{namespace}lastmod").text,
                                     url.find(f"{namespace}changefreq").text)
        for url in page.iter(f"{namespace}url")
    }  # fmt: skip
    other.refresh_from_db()
    assert entries == {
        f"http://testserver{late.get_absolute_url()}": ("2026-03-02", "weekly"),
        f"http://testserver{other.get_absolute_url()}": (
            timezone.localtime(other.updated_at).strftime("%Y-%m-%d"),
            "weekly",
        ),
    }
    odd = [{"location": "http://x/?a=1&b=<2>", "lastmod": None, "changefreq": None}]
    assert (
        ET.fromstring(urlset(odd)).find(f"{namespace}url/{namespace}loc").text == odd[0]["location"]
    )


def test_sitemap_addresses_are_the_programmes_own(client, db):
    from portal.sitemaps import ProgrammeSitemap

    programmes = [ProgrammeFactory(), ProgrammeFactory(slug="mit_unterstrich-2")]
    sitemap = ProgrammeSitemap()
    assert [sitemap.location(p) for p in programmes] == [p.get_absolute_url() for p in programmes]
    assert client.get("/sitemap-programmes.xml?p=9").status_code == 404
    assert client.get("/sitemap-gibtsnicht.xml").status_code == 404


def test_sitemap_pages_hold_a_bounded_number_of_addresses(client, db, settings):
    from portal.sitemaps import ProgrammeSitemap

    for _ in range(3):
        ProgrammeFactory()
    ProgrammeSitemap.limit, limit = 2, ProgrammeSitemap.limit
    try:
        index = ET.fromstring(client.get("/sitemap.xml").content)
        pages = [loc.text for loc in index.iter(SITEMAP_LOC) if "programmes" in loc.text]
    finally:
        ProgrammeSitemap.limit = limit
    assert len(pages) == 2 and pages[1].endswith("?p=2")


def test_feeds_and_sitemap_answer_a_repeated_request_with_304(client, db):
    ProgrammeFactory()
    for url in ["/sitemap.xml", "/feeds/programme/"]:
        first = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (first.status_code, again.status_code, again.content) == (200, 304, b"")
