"""Public pages come from the cache for anonymous visitors, and every change of public
content is visible on the next request; staff pages are never cached."""

import os

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.cache import LocalPages, content_version
from tests.factories import BestPracticeFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("programmes:programme-list")
HOME_URL = reverse("portal:home")


def test_a_second_anonymous_visit_costs_one_query(client, django_assert_num_queries):
    ProgrammeFactory(title="Sprachcafé")
    first = client.get(LIST_URL, {"handlungsfeld": "housing"})
    with django_assert_num_queries(1):  # the content version
        second = client.get(LIST_URL, {"handlungsfeld": "housing"})
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_page_kept_by_the_process_needs_no_shared_cache_until_the_content_changes(
    client, django_assert_num_queries
):
    programme = ProgrammeFactory(title="Sprachcafé")
    first = client.get(LIST_URL)
    cache.clear()  # the shared cache loses it; this process still has it
    with django_assert_num_queries(1):  # the content version
        second = client.get(LIST_URL)
    assert second.content == first.content
    programme.title = "Sprachcafé am Markt"
    programme.save()
    assert "Sprachcafé am Markt" in client.get(LIST_URL).content.decode()


def test_the_process_keeps_pages_up_to_a_number_of_bytes_least_recently_served_first():
    pages = LocalPages(limit=10)
    pages.put("a", (b"aaaa", {}))
    pages.put("b", (b"bbbb", {}))
    assert pages.get("a") == (b"aaaa", {})  # now served more recently than "b"
    pages.put("c", (b"cccc", {}))
    assert pages.get("b") is None
    assert pages.get("a") is not None and pages.get("c") is not None
    assert pages.size == 8
    pages.put("huge", (b"x" * 11, {}))  # larger than all: not kept, nothing dropped
    assert pages.get("huge") is None and pages.size == 8


def test_the_process_keeps_a_page_no_longer_than_the_shared_cache(monkeypatch):
    pages = LocalPages(limit=10, timeout=60)
    now = [1000.0]
    monkeypatch.setattr("portal.cache.time.monotonic", lambda: now[0])
    pages.put("a", (b"aaaa", {}))
    now[0] += 59
    assert pages.get("a") == (b"aaaa", {})
    now[0] += 2  # stored 61 s ago
    assert pages.get("a") is None and pages.size == 0


@pytest.mark.parametrize("url", [HOME_URL, LIST_URL])
def test_a_published_edit_shows_on_the_next_request(client, url):
    programme = ProgrammeFactory(title="Alter Titel")
    assert "Alter Titel" in client.get(url).content.decode()
    programme.title = "Neuer Titel"
    programme.save()
    page = client.get(url).content.decode()
    assert "Neuer Titel" in page and "Alter Titel" not in page


def test_detail_page_follows_fields_keywords_profiles_and_deletion(client):
    programme = ProgrammeFactory(slug="p", title="Sprachcafé")
    url = programme.get_absolute_url()
    client.get(url)
    programme.keywords.add("Nähwerkstatt")
    assert "Nähwerkstatt" in client.get(url).content.decode()
    BestPracticeFactory(programme=programme, approach="Mit den Gemeinden zusammen.")
    assert "Mit den Gemeinden zusammen." in client.get(url).content.decode()
    programme.delete()
    assert client.get(url).status_code == 404


def test_unpublishing_removes_a_programme_at_once(client):
    programme = ProgrammeFactory(title="Bald Entwurf")
    assert "Bald Entwurf" in client.get(LIST_URL).content.decode()
    programme.publication_state = "draft"
    programme.save()
    assert "Bald Entwurf" not in client.get(LIST_URL).content.decode()


def test_logged_in_visitors_get_their_own_page(client, staff_a, django_assert_max_num_queries):
    ProgrammeFactory(title="Sprachcafé")
    client.get(HOME_URL)  # cached for anonymous visitors
    client.force_login(staff_a)
    page = client.get(HOME_URL).content.decode()
    assert "Abmelden" in page  # the footer of a logged-in person, not the cached one


def test_every_content_change_raises_the_version():
    before = content_version()
    programme = ProgrammeFactory()
    programme.fields_of_action.clear()
    assert content_version() >= before + 2


REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI but not reachable at 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {"BACKEND": "portal.cache_backend.PooledRedisCache", "LOCATION": REDIS}
    }
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def test_pages_are_cached_in_redis_and_follow_changes(client, redis_cache):
    programme = ProgrammeFactory(title="Alter Titel")
    assert "Alter Titel" in client.get(LIST_URL).content.decode()
    assert any(key.startswith(b":1:page:") for key in redis_cache._cache.get_client().keys("*"))
    programme.title = "Neuer Titel"
    programme.save()
    assert "Neuer Titel" in client.get(LIST_URL).content.decode()


def test_the_redis_cache_serves_every_operation_with_one_client(redis_cache):
    """Django's backend would build a new redis client per operation (portal.cache_backend)."""
    backend = redis_cache._cache
    client = backend.get_client()
    redis_cache.set("eins", {"wert": 1})
    redis_cache.set_many({"zwei": 2, "drei": [3]})
    assert redis_cache.get_many(["eins", "zwei", "drei"]) == {
        "eins": {"wert": 1},
        "zwei": 2,
        "drei": [3],
    }
    assert redis_cache.incr("zwei") == 3
    assert redis_cache.add("eins", "anders") is False
    redis_cache.delete("eins")
    assert redis_cache.get("eins") is None
    assert backend.get_client(write=True) is client
    assert backend.get_client("schlüssel") is client


def test_values_kept_in_the_process_follow_every_change(client, settings):
    """The notice on demo content and the facet counts are kept in each server process too;
    their keys carry the content version, so a change shows on the next request."""
    settings.PUBLIC_PAGE_CACHE = False  # every page rendered, from the kept values
    demo = ProgrammeFactory(title="Beispiel", is_demo=True, fields=["housing"])
    first = client.get(LIST_URL)
    assert first.context["demo_content_loaded"] is True
    assert first.context["facets"]["handlungsfeld"]["wohnen"] == 1
    ProgrammeFactory(title="Zweites", fields=["housing"])
    ProgrammeFactory(title="Drittes", fields=["housing"])
    demo.delete()
    second = client.get(LIST_URL)
    assert second.context["demo_content_loaded"] is False
    assert second.context["facets"]["handlungsfeld"]["wohnen"] == 2
    assert sorted(p.title for p in second.context["object_list"]) == ["Drittes", "Zweites"]


def test_cards_and_programme_pages_show_a_renamed_county_and_land_at_once(client, settings):
    """Cards and programme pages take their counties from those kept per content version in
    each process (programmes.terms.counties); a county or Land renamed shows at once."""
    settings.PUBLIC_PAGE_CACHE = False
    programme = ProgrammeFactory(title="Sprachcafé")
    county, land = programme.county, programme.county.state
    pages = [HOME_URL, LIST_URL, programme.get_absolute_url()]
    for url in pages:
        page = client.get(url).content.decode()
        assert county.name in page and land.name in page
    county.name, land.name = "Landkreis Umbenannt", "Neuland"
    county.save()
    land.save()
    for url in pages:
        page = client.get(url).content.decode()
        assert "Landkreis Umbenannt" in page and "Neuland" in page, url


def test_markdown_is_converted_once_for_all_processes_and_again_under_new_rules(db, monkeypatch):
    """The HTML of a staff text is shared through the cache: a process that has not seen the
    text (its own copies emptied) reads it instead of converting it; rules that change read
    nothing converted under the old ones."""
    from portal import text

    text.forget_recent_markdown()
    source = "Erster Absatz.\n\n- Punkt eins\n- Punkt zwei"
    first = text.render_markdown(source)
    assert "<li>Punkt eins</li>" in first
    converted = []
    monkeypatch.setattr(text, "_converted", lambda value: converted.append(value) or "<p>neu</p>")
    text.forget_recent_markdown()  # as another process would start
    assert text.render_markdown(source) == first and converted == []
    monkeypatch.setattr(text, "CONVERSION", text.CONVERSION + "+strong")
    text.forget_recent_markdown()
    assert text.render_markdown(source) == "<p>neu</p>" and converted == [source]
    monkeypatch.undo()
    text.forget_recent_markdown()
    # No text is not the text "None".
    assert text.render_markdown("None") == "<p>None</p>" and text.render_markdown(None) == ""
    # A page's texts together: one read for all of them, one write for those converted.
    from portal import cache as portal_cache

    text.forget_recent_markdown()
    trips = []
    for name in ("_get_many", "_set_many"):
        real = getattr(portal_cache, name)
        monkeypatch.setattr(
            portal_cache, name, lambda *args, r=real, n=name: trips.append(n) or r(*args)
        )
    shown = text.render_markdowns([source, "Zweiter **Text**", source, ""])
    assert shown == [first, "<p>Zweiter <strong>Text</strong></p>", first, ""]
    assert trips == ["_get_many", "_set_many"]
    trips.clear()
    assert text.render_markdowns([source, "Zweiter **Text**"]) == shown[:2] and trips == []
    text.forget_recent_markdown()


def test_a_programme_page_reads_all_its_texts_with_one_round_trip(client, settings, monkeypatch):
    """A process that has not yet shown a programme reads the HTML of its description, goals
    and profile texts from the shared cache together, not one text after another."""
    from portal import cache as portal_cache
    from portal import text

    settings.PUBLIC_PAGE_CACHE = False
    programme = ProgrammeFactory(title="Sprachpaten", description="Was *wir* tun.", goals="Ziel.")
    BestPracticeFactory(programme=programme, approach="Schritt für **Schritt**.")
    text.forget_recent_markdown()
    reads = []
    real_get, real_get_many = portal_cache._get, portal_cache._get_many
    monkeypatch.setattr(portal_cache, "_get", lambda key: reads.append(key) or real_get(key))
    monkeypatch.setattr(
        portal_cache, "_get_many", lambda keys: reads.append(len(keys)) or real_get_many(keys)
    )
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "<em>wir</em>" in page and "<strong>Schritt</strong>" in page
    assert [read for read in reads if not isinstance(read, str)] == [11]
    assert not [read for read in reads if isinstance(read, str) and read.startswith("lasting")]
    text.forget_recent_markdown()


def test_a_long_computation_runs_once_while_others_wait(db, monkeypatch):
    """After a change, one process computes a `single` value (the facet index); another that
    asks meanwhile waits for its result instead of computing it too."""
    import threading

    from portal import cache as portal_cache

    monkeypatch.setattr(portal_cache, "BUILD_POLL", 0.01)
    version = portal_cache.content_version()
    building = portal_cache._key("building", version, "slow")
    assert cache.add(building, 1)  # another process is computing it

    def finish():
        cache.set(portal_cache._key("value", version, "slow"), "from the other process")
        cache.delete(building)

    timer = threading.Timer(0.2, finish)
    timer.start()

    def compute():
        raise AssertionError("computed twice")

    try:
        assert portal_cache.cached_value("slow", compute, single=True) == "from the other process"
    finally:
        timer.cancel()


def test_a_process_computes_for_itself_when_the_other_never_finishes(db, monkeypatch):
    from portal import cache as portal_cache

    monkeypatch.setattr(portal_cache, "BUILD_WAIT", 0.1)
    monkeypatch.setattr(portal_cache, "BUILD_POLL", 0.01)
    version = portal_cache.content_version()
    assert cache.add(portal_cache._key("building", version, "stuck"), 1)
    assert portal_cache.cached_value("stuck", lambda: "own", single=True) == "own"
    # Nobody else holds it now: the next computation happens at once, and only once.
    calls = []
    portal_cache.bump()
    value = portal_cache.cached_value("stuck", lambda: calls.append(1) or "again", single=True)
    assert value == "again" and calls == [1]
    assert not cache.get(portal_cache._key("building", portal_cache.content_version(), "stuck"))
