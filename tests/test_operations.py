"""What a load balancer asks: /ping/ (alive, no database) and /healthz (ready)."""

import pytest


def test_ping_answers_without_the_database(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/ping/")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_healthz_is_ok_with_database_migrations_and_cache(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_an_unreachable_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.PooledRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"cache unreachable" in response.content


@pytest.mark.django_db
def test_public_pages_work_while_the_cache_is_down(client, settings):
    from tests.factories import ProgrammeFactory

    ProgrammeFactory(title="Sprachcafé")
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.PooledRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/programme/")
    assert response.status_code == 200
    assert "Sprachcafé" in response.content.decode()
