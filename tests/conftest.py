import pytest
from django.contrib.auth import get_user_model

from counties.loader import load_counties


@pytest.fixture
def counties(db):
    """All 400 Kreise from the official CSV, as `make run` loads them."""
    load_counties()


@pytest.fixture
def administrator(db):
    return get_user_model().objects.create_superuser("alice", "alice@example.org", "pw")
