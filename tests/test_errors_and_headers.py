"""Bad input gets a clear German answer, never a server error; every answer carries the
portal's Content-Security-Policy and Permissions-Policy.

Several of the server errors showed only on PostgreSQL, which refuses NUL characters and
text longer than a column; run this file on both databases."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from programmes.models import Attachment
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

BAD_REQUEST_HEADING = "Die Anfrage konnte nicht verarbeitet werden"
TEMPLATE_DIRS = [
    Path(settings.BASE_DIR) / "templates",
    *Path(settings.BASE_DIR).glob("*/templates"),
]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def world(db):
    return BestPracticeFactory(programme__title="Sichtbar").programme


def _policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


class TestLogin:
    @pytest.mark.parametrize("length", [151, 256, 5000])
    def test_overlong_user_name_is_a_form_error(self, client, length):
        response = client.post("/anmelden/", {"username": "x" * length, "password": "pw"})

        assert response.status_code == 200
        assert "höchstens 150 Zeichen" in response.content.decode()

    def test_user_name_with_a_nul_character_is_a_form_error(self, client):
        response = client.post("/anmelden/", {"username": "erika\x00", "password": "pw"})

        assert response.status_code == 200
        assert response.context["form"].errors["username"]

    @pytest.mark.parametrize(
        "next_url", ["/anmelden/", "/anmelden/?next=/anmelden/", "http://testserver/anmelden/"]
    )
    def test_logged_in_visit_with_next_to_the_login_page_goes_to_the_admin(
        self, editor_client, next_url
    ):
        response = editor_client.get("/anmelden/", {"next": next_url})

        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")

    def test_logged_in_visit_still_follows_another_next(self, editor_client):
        response = editor_client.get("/anmelden/", {"next": "/admin/programmes/programme/"})

        assert response["Location"] == "/admin/programmes/programme/"

    def test_login_with_next_to_the_login_page_ends_in_the_admin(self, client, editor):
        response = client.post(
            "/anmelden/?next=/anmelden/",
            {"username": "erika", "password": "pw", "next": "/anmelden/"},
        )

        assert response["Location"] == reverse("admin:index")


class TestForeignHost:
    @pytest.mark.parametrize("path", ["/", "/programme/", "/admin/", "/gibt-es-nicht/"])
    def test_host_outside_allowed_hosts_gets_the_german_400_page(self, client, settings, path):
        settings.DEBUG = False

        response = client.get(path, HTTP_HOST="angreifer.example")

        assert response.status_code == 400
        page = response.content.decode()
        assert BAD_REQUEST_HEADING in page
        assert "angreifer.example" not in page
        assert f'<link rel="canonical" href="{settings.PORTAL_BASE_URL}{path}">' in page

    def test_canonical_address_comes_from_the_settings(self, client, settings, world):
        settings.PORTAL_BASE_URL = "https://kreise-fuer-integration.de"

        page = client.get(world.get_absolute_url()).content.decode()

        canonical = f"https://kreise-fuer-integration.de{world.get_absolute_url()}"
        assert f'<link rel="canonical" href="{canonical}">' in page
        assert f'<meta property="og:url" content="{canonical}">' in page


@pytest.mark.parametrize("debug", [False, True])
def test_more_parameters_than_django_reads_are_a_bad_request(client, db, settings, debug):
    settings.DEBUG = debug
    query = "&".join(
        f"x{number}={number}" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )
    for path in ["/", "/programme/", "/kreise/"]:
        assert client.get(f"{path}?{query}").status_code == 400
    assert client.get("/programme/?x=1").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "trace", "options"])
def test_public_pages_answer_only_reading(client, db, method):
    for path in ["/", "/programme/", "/kreise/", "/statistik/", "/feeds/programme/",
                 "/sitemap.xml", "/robots.txt", "/healthz", "/impressum/"]:  # fmt: skip
        response = getattr(client, method)(path)
        assert response.status_code == 405, path
        assert set(response["Allow"].split(", ")) <= {"GET", "HEAD"}
        assert b"<html" not in response.content


def test_any_tag_is_not_modified_only_where_there_is_a_page(client, db):
    assert client.get("/programme/gibt-es-nicht/", HTTP_IF_NONE_MATCH="*").status_code == 404
    assert client.get("/kreise/atlantis/", HTTP_IF_NONE_MATCH="*").status_code == 404
    assert client.get("/programme/", HTTP_IF_NONE_MATCH="*").status_code in (200, 304)


def test_the_forms_between_counties_answer_head_as_get(client, db):
    programme = ProgrammeFactory(contact_email="kim@kreis.example")
    for part in ["frage", "hospitation"]:
        url = f"{programme.get_absolute_url()}{part}/"
        assert client.head(url).status_code == client.get(url).status_code == 200


ADMIN_NUL_QUERIES = [
    ("/admin/programmes/programme/", {"county__id__exact": "\x00"}),
    ("/admin/programmes/programme/", {"q": "\x00"}),
    ("/admin/programmes/programme/", {"publication_state__exact": "\x00"}),
    ("/admin/programmes/programme/", {"status__exact": "\x00"}),
    ("/admin/programmes/programme/", {"fields_of_action__id__exact": "\x00"}),
    ("/admin/programmes/programme/", {"o": "\x00"}),
    ("/admin/programmes/programme/", {"\x00": "1"}),
    ("/admin/programmes/bestpracticeprofile/", {"is_featured__exact": "\x00"}),
    ("/admin/programmes/bestpracticeprofile/", {"q": "Wohn\x00raum"}),
    ("/admin/counties/county/", {"q": "\x00"}),
    ("/admin/counties/county/", {"category__exact": "\x00"}),
    ("/admin/counties/county/", {"state__id__exact": "\x00"}),
    ("/admin/programmes/keyword/", {"q": "\x00"}),
    ("/admin/programmes/programme/deleted/", {"q": "\x00"}),
    (
        "/admin/autocomplete/",
        {
            "term": "\x00",
            "app_label": "programmes",
            "model_name": "programme",
            "field_name": "county",
        },
    ),
    (
        "/admin/autocomplete/",
        {
            "term": "Ahorn",
            "app_label": "programmes\x00",
            "model_name": "programme",
            "field_name": "county",
        },
    ),
]


class TestNulCharacters:
    @pytest.mark.parametrize(("path", "query"), ADMIN_NUL_QUERIES)
    def test_nul_in_an_admin_query_gets_the_german_400_page(
        self, editor_client, world, path, query
    ):
        response = editor_client.get(path, query)

        assert response.status_code == 400
        assert BAD_REQUEST_HEADING in response.content.decode()

    def test_county_staff_get_the_same_answer(self, client, staff_a):
        client.force_login(staff_a)

        response = client.get("/admin/programmes/programme/", {"status__exact": "\x00"})

        assert response.status_code == 400

    @pytest.mark.parametrize(
        ("path", "query"),
        [
            ("/programme/", {"q": "Wohn\x00raum", "land": "\x00", "status": "\x00"}),
            ("/programme/daten.csv", {"handlungsfeld": "\x00", "q": "\x00"}),
            ("/programme/daten.json", {"kreis": "\x00"}),
            ("/vergleichbare-kreise/", {"kreis": "\x00"}),
            ("/kreise/", {"q": "\x00", "kategorie": "\x00"}),
            ("/feeds/programme/", {"\x00": "\x00"}),
            ("/anmelden/", {"next": "/admin/\x00"}),
        ],
    )
    def test_public_pages_drop_nul_characters(self, client, world, path, query):
        response = client.get(path, query)

        assert response.status_code == 200
        response.getvalue()  # a streamed answer is read to its end without an error

    def test_public_filters_see_the_value_without_nul(self, client, world):
        response = client.get("/programme/", {"q": "Sicht\x00bar"})

        assert response.context["request"].GET["q"] == "Sichtbar"
        assert [p.title for p in response.context["object_list"]] == ["Sichtbar"]

    def test_admin_query_without_nul_is_untouched(self, editor_client, world):
        response = editor_client.get("/admin/programmes/programme/", {"q": "Sichtbar"})

        assert response.status_code == 200


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("bild.png", buffer.getvalue(), content_type="image/png")


def _boom():
    raise RuntimeError("the statistics broke")


class TestHeaders:
    def test_policy_is_strict(self, client):
        policy = _policy(client.get("/"))

        assert policy == {
            "default-src": ["'self'"],
            "object-src": ["'none'"],
            "img-src": ["'self'", "data:"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        }

    def test_permissions_policy_turns_off_devices(self, client):
        header = client.get("/")["Permissions-Policy"]

        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in header

    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/programme/",
            "/programme/?q=Sichtbar",
            "/kreise/",
            "/statistik/",
            "/offene-daten/",
            "/impressum/",
            "/anmelden/",
            "/programme/daten.csv",
            "/feeds/programme/",
            "/sitemap.xml",
        ],
    )
    def test_public_pages_carry_both_headers(self, client, world, path):
        response = client.get(path)

        assert response.status_code == 200
        assert "'self'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]

    def test_detail_and_county_pages_carry_both_headers(self, client, world):
        for path in [world.get_absolute_url(), world.county.get_absolute_url()]:
            response = client.get(path)
            assert response.status_code == 200
            assert _policy(response)["default-src"] == ["'self'"]
            assert "Permissions-Policy" in response

    @pytest.mark.parametrize(
        "path",
        [
            "/admin/",
            "/admin/programmes/programme/",
            "/admin/programmes/programme/add/",
            "/admin/programmes/programme/import/",
            "/admin/programmes/programme/export/",
            "/admin/counties/county/",
        ],
    )
    def test_admin_pages_carry_both_headers(self, editor_client, world, path):
        response = editor_client.get(path)

        assert response.status_code == 200
        assert _policy(response)["default-src"] == ["'self'"]
        assert "camera=()" in response["Permissions-Policy"]

    def test_not_found_page_carries_both_headers(self, client):
        response = client.get("/programme/gibt-es-nicht/")

        assert response.status_code == 404
        assert _policy(response)["frame-ancestors"] == ["'none'"]
        assert "Permissions-Policy" in response

    def test_bad_request_pages_carry_both_headers(self, editor_client, settings):
        settings.DEBUG = False
        for response in [
            editor_client.get("/", HTTP_HOST="angreifer.example"),
            editor_client.get("/admin/programmes/programme/", {"q": "\x00"}),
        ]:
            assert response.status_code == 400
            assert _policy(response)["default-src"] == ["'self'"]
            assert "Permissions-Policy" in response

    def test_forbidden_and_csrf_pages_carry_both_headers(self, client, staff_a):
        client.force_login(staff_a)
        forbidden = client.get("/admin/auth/user/")
        csrf_client = type(client)(enforce_csrf_checks=True)
        expired = csrf_client.post("/anmelden/", {"username": "alice", "password": "pw"})

        for response in [forbidden, expired]:
            assert response.status_code == 403
            assert _policy(response)["default-src"] == ["'self'"]
            assert "Permissions-Policy" in response

    def test_server_error_page_carries_both_headers(self, client, monkeypatch):
        monkeypatch.setattr("portal.views.stats.all_tables", _boom)
        client.raise_request_exception = False

        response = client.get("/statistik/")

        assert response.status_code == 500
        assert _policy(response)["default-src"] == ["'self'"]
        assert "Permissions-Policy" in response

    def test_uploads_keep_their_own_sandbox_policy(self, client):
        programme = ProgrammeFactory(county=CountyFactory(), slug="mit-bild")
        programme.image, programme.image_alt = _png(), "Rot"
        programme.save()
        attachment = Attachment(programme=programme, title="Flyer")
        attachment.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF"))

        for url in [reverse("programmes:image", args=["mit-bild"]), attachment.get_absolute_url()]:
            response = client.get(url)
            assert response.status_code == 200
            assert response["Content-Security-Policy"] == "sandbox"
            assert "camera=()" in response["Permissions-Policy"]


INLINE_CODE = [
    ("an inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")),
    ("a <style> element", re.compile(r"<style\b")),
    ("a style attribute", re.compile(r"\sstyle\s*=")),
    ("an event handler attribute", re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)),
    ("a javascript: address", re.compile(r"javascript:", re.IGNORECASE)),
]


def test_templates_have_nothing_inline_that_the_policy_blocks():
    found = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            if template.parent.name == "email":
                continue  # mail, never served under the policy; mail programs need inline styles
            text = template.read_text()
            found += [
                f"{template}: {what}" for what, pattern in INLINE_CODE if pattern.search(text)
            ]

    assert found == []
