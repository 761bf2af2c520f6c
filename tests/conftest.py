import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from counties.loader import load_counties
from counties.models import CountyMembership
from portal.cache import forget_local_values
from portal.roles import ADMINISTRATORS, COUNTY_STAFF, EDITORS
from programmes.facets import forget_index
from programmes.search import forget_kept
from tests.factories import CountyFactory, recreate_migration_data

TRANSACTIONAL = {"transactional_db", "live_server"}


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        TRANSACTIONAL & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends, the rows of data migrations
    too. Put them back at once, so that the tests after it find the database as migrated,
    in whatever order they run (with pytest-xdist, each worker runs its own mix)."""
    yield
    # After the last test the test database is gone with the session's fixtures.
    if nextitem is not None and _is_transactional(item):
        from django.contrib.contenttypes.models import ContentType
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            recreate_migration_data()
        # The flush gave the content types new numbers; the process must not keep the old.
        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached pages are keyed by the content version, which starts anew in every test's
    database: a page cached by one test must not answer in the next."""
    cache.clear()
    forget_local_values()
    forget_index()
    forget_kept()


@pytest.fixture
def counties(db):
    """All 400 Kreise from the official CSV, as `make run` loads them."""
    load_counties()


def make_user(username, group, *, county=None):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    if county is not None:
        CountyMembership.objects.create(user=user, county=county)
    return user


@pytest.fixture
def county_a(db):
    return CountyFactory(name="Landkreis Ahorn", slug="landkreis-ahorn", ags="99001")


@pytest.fixture
def county_b(db):
    return CountyFactory(name="Landkreis Birke", slug="landkreis-birke", ags="99002")


@pytest.fixture
def staff_a(county_a):
    """Alice works for county A."""
    return make_user("alice", COUNTY_STAFF, county=county_a)


@pytest.fixture
def staff_b(county_b):
    """Bob works for county B."""
    return make_user("bob", COUNTY_STAFF, county=county_b)


@pytest.fixture
def editor(db):
    """Erika is one of the DLT's editors."""
    return make_user("erika", EDITORS)


@pytest.fixture
def administrator(db):
    """Adam manages users and memberships."""
    return make_user("adam", ADMINISTRATORS)
