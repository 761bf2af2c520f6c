"""Two app servers behind one load balancer act as one portal: two gunicorn processes with
production settings share the test database (PostgreSQL), Redis and an S3 bucket (moto), and
what a person does through one of them holds on the other.

Only on PostgreSQL: an SQLite file cannot be the database of several servers. There this
module is skipped; CI runs the suite on PostgreSQL too, where Redis and the S3 server are
required and a missing one fails the test."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher, make_password
from django.db import connection
from django.urls import reverse

from programmes.models import FieldOfAction, Programme
from tests.factories import ProgrammeFactory, pdf_bytes, recreate_migration_data
from tests.forms import programme_form
from tests.s3 import png_bytes, running_s3_server, s3_environment, stored_objects

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: two server processes cannot share an SQLite test database "
    "(the CI run on PostgreSQL covers it)",
)

# Database 14: test_cache.py uses 15; the servers' keys must not mix with another test's.
REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "Kreis-2026-geheim"
STARTUP_SECONDS = 20
LOGIN_PATH = reverse("accounts:login")


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def csrf_token(self):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)[1]


class Visitor:
    """One person's browser, reduced to a cookie jar: it sends every cookie back, also those
    marked Secure, because the servers speak plain HTTP here."""

    def __init__(self):
        self.cookies = {}

    def get(self, server, path):
        return self._request(server, "GET", path)

    def post(self, server, path, fields, files=None):
        """A form as the browser sends it, `files` as {name: (filename, type, bytes)}."""
        if files is None:
            body = urlencode(fields, doseq=True).encode()
            return self._request(server, "POST", path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        body = _multipart(boundary, fields, files)
        return self._request(
            server, "POST", path, body, f"multipart/form-data; boundary={boundary}"
        )

    def log_in(self, server, username, password):
        form = self.get(server, LOGIN_PATH)
        return self.post(
            server,
            LOGIN_PATH,
            {"username": username, "password": password, "csrfmiddlewaretoken": form.csrf_token()},
        )

    def _request(self, server, method, path, body=None, content_type=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            page = Page(response.status, response.headers, response.read())
        finally:
            client.close()
        for header in page.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return page


def _multipart(boundary, fields, files):
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
    for name, (filename, content_type, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# The two servers ---------------------------------------------------------------------------


def _database_url():
    database = connection.settings_dict
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += f":{quote(database['PASSWORD'])}"
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{database['NAME']}"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(s3_endpoint, static_root):
    outside = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "DJANGO_", "DATABASE_", "REDIS_", "MEDIA_"))
    }
    return {
        **outside,
        **s3_environment(s3_endpoint),
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "SECRET_KEY": "two-servers-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "STATIC_ROOT": str(static_root),
        # Publishing mails the county's staff; no mail server is needed for that here.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def _start(environment, folder):
    """A gunicorn process with a media folder of its own: a file it found there would not
    have come from the other server."""
    port, log = _free_port(), folder / "gunicorn.log"
    folder.mkdir()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [gunicorn, "portal.wsgi", "--workers=1", f"--bind=127.0.0.1:{port}"],
            env={**environment, "MEDIA_ROOT": str(folder / "media")},
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    return Server(port, process, log)


def _wait_until_ready(server):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn ended at start:\n{server.log.read_text()[-3000:]}")
        try:
            if Visitor().get(server, "/ping/").status == 200:
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def _stop(servers):
    for server in servers:
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="module")
def s3_endpoint():
    with running_s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def environment(django_db_setup, s3_endpoint, tmp_path_factory):
    """What both servers are started with, static files collected once."""
    environment = _environment(s3_endpoint, tmp_path_factory.mktemp("static"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=environment,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return environment


@pytest.fixture
def shared_redis():
    """Empty for each test: the content version starts anew with each test's data, and a
    page cached under a number of the previous test must not answer."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis must be reachable at {REDIS_URL} for the two-server test")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def servers(environment, shared_redis, tmp_path):
    """Two fresh servers for each test, (first, second): a process remembers the ids of the
    content types, which change when a test's data is emptied."""
    started = []
    try:
        for name in ("first", "second"):
            started.append(_start(environment, tmp_path / name))
        for server in started:
            _wait_until_ready(server)
        yield tuple(started)
    finally:
        _stop(started)


@pytest.fixture(autouse=True)
def migration_data(transactional_db):
    """Rows the migrations create (roles, fields of action, site pages): each test here
    commits its data for the servers to see, and afterwards every table is emptied."""
    recreate_migration_data()


class QuickHasher(PBKDF2SHA1PasswordHasher):
    """An algorithm production accepts, with few rounds: the servers read the rounds from the
    hash, and being not their first choice, they do not pad a wrong guess to full length."""

    iterations = 1000


def known_to_the_servers(user):
    """The tests hash with MD5 for speed; production settings do not accept it."""
    user.password = make_password(PASSWORD, hasher=QuickHasher())
    user.save(update_fields=["password"])
    return user


# What one server does, the other sees ------------------------------------------------------


def test_a_login_on_one_server_holds_on_the_other(servers, staff_a):
    first, second = servers
    alice = Visitor()
    known_to_the_servers(staff_a)
    assert alice.get(second, "/admin/").status == 302  # to the login

    assert alice.log_in(first, "alice", PASSWORD).status == 302
    page = alice.get(second, "/admin/")

    assert page.status == 200
    assert "Abmelden" in page.text


def test_a_lockout_on_one_server_holds_on_the_other(servers, staff_b):
    first, second = servers
    known_to_the_servers(staff_b)
    attacker = Visitor()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attacker.log_in(first, "bob", "falsch")

    bob = Visitor()
    refused = bob.log_in(second, "bob", PASSWORD)

    assert refused.status == 429
    assert "Anmeldung vorübergehend gesperrt" in refused.text
    assert "sessionid" not in bob.cookies


def test_a_file_uploaded_through_one_server_is_served_by_the_other(
    servers, editor, county_a, s3_endpoint
):
    first, second = servers
    erika = Visitor()
    known_to_the_servers(editor)
    erika.log_in(first, "erika", PASSWORD)
    image, document = png_bytes(), pdf_bytes()

    added = _add_programme(erika, first, county_a, image, document)
    programme = Programme.objects.get(slug="neues-programm")
    _publish(erika, first, programme)

    attachment = programme.attachments.get()
    assert added.status == 302
    stored = stored_objects(s3_endpoint)
    assert (stored[programme.image.name], stored[attachment.file.name]) == (image, document)
    anonymous = Visitor()
    served_image = anonymous.get(second, reverse("programmes:image", args=[programme.slug]))
    served_document = anonymous.get(second, attachment.get_absolute_url())
    assert (served_image.status, served_image.body) == (200, image)
    assert (served_document.status, served_document.body) == (200, document)


def test_an_edit_through_one_server_replaces_the_page_the_other_cached(
    servers, editor, county_a, shared_redis
):
    first, second = servers
    programme = ProgrammeFactory(county=county_a, title="Sprachcafé am Montag", slug="sprachcafe")
    visitor, erika = Visitor(), Visitor()
    known_to_the_servers(editor)
    assert "Sprachcafé am Montag" in visitor.get(second, programme.get_absolute_url()).text
    assert shared_redis.keys("kfi:*page*")  # cached, in the Redis both servers use

    erika.log_in(first, "erika", PASSWORD)
    edited = _edit_title(erika, first, programme, "Sprachcafé am Dienstag")
    page = visitor.get(second, programme.get_absolute_url()).text

    assert edited.status == 302
    assert "Sprachcafé am Dienstag" in page
    assert "Sprachcafé am Montag" not in page


# Staff work through the admin, as a browser would post it -----------------------------------


def _fields_of_action():
    return [str(pk) for pk in FieldOfAction.objects.values_list("pk", flat=True)[:2]]


def _add_programme(visitor, server, county, image, document):
    path = reverse("admin:programmes_programme_add")
    form = programme_form(
        county,
        fields_of_action=_fields_of_action(),
        image_alt="Ein grünes Feld",
        csrfmiddlewaretoken=visitor.get(server, path).csrf_token(),
        **{"attachments-TOTAL_FORMS": "1", "attachments-0-title": "Flyer"},
    )
    files = {
        "image": ("bild.png", "image/png", image),
        "attachments-0-file": ("flyer.pdf", "application/pdf", document),
    }
    return visitor.post(server, path, form, files)


def _publish(visitor, server, programme):
    path = reverse("admin:programmes_programme_changelist")
    token = visitor.get(server, path).csrf_token()
    visitor.post(
        server,
        path,
        {
            "action": "publish_selected",
            "_selected_action": [programme.pk],
            "csrfmiddlewaretoken": token,
        },
    )


def _edit_title(visitor, server, programme, title):
    path = reverse("admin:programmes_programme_change", args=[programme.pk])
    form = programme_form(
        programme.county,
        title=title,
        slug=programme.slug,
        fields_of_action=_fields_of_action(),
        csrfmiddlewaretoken=visitor.get(server, path).csrf_token(),
    )
    return visitor.post(server, path, form)
