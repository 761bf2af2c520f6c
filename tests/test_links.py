"""Absolute links point where the portal runs: the request's address in development, the
configured one in production."""

import pytest

from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def open_data(client, **headers):
    response = client.get("/programme/daten.csv", **headers)
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_development_links_follow_the_address_in_use(client, settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    programme = ProgrammeFactory()
    text = open_data(client, HTTP_HOST="127.0.0.1:8080")
    assert f"http://127.0.0.1:8080/programme/{programme.slug}/" in text


def test_production_links_use_the_configured_address(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "portal.example.org"]
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    programme = ProgrammeFactory()
    text = open_data(client, HTTP_HOST="127.0.0.1:8080")
    assert f"https://portal.example.org/programme/{programme.slug}/" in text
    assert "127.0.0.1" not in text  # not "8080": a timestamp's microseconds may hold it


def test_a_foreign_host_in_development_falls_back_to_the_configured_address(client, settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
