"""Spreadsheet imports that scale: a fixed number of queries per file in the preview, one
history record per row, capped uploads kept in the portal's storage (never in the system temp
folder) until confirmed, cancelled or expired, and a German sentence for every broken file."""

import csv
import io
import tempfile
import time

import pytest
from django.core.files import temp as django_temp
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from programmes import uploads
from programmes.models import Programme
from programmes.resources import ProgrammeResource
from tests.factories import ProgrammeFactory

IMPORT_URL = reverse("admin:programmes_programme_import")
CONFIRM_URL = reverse("admin:programmes_programme_process_import")
CANCEL_URL = reverse("admin:programmes_programme_import_cancel")
HEADER = [
    "Adresskürzel", "Kreisschlüssel (AGS)", "Titel", "Kurzbeschreibung", "Beschreibung",
    "Handlungsfelder", "Zielgruppen", "Status", "Schlagwörter",
]  # fmt: skip
POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search document needs PostgreSQL"
)


@pytest.fixture(autouse=True)
def upload_folder(db):
    """The stored uploads of this test only (the test storage lives as long as the process)."""
    uploads.purge_expired(now=time.time() + 10 * uploads.UPLOAD_MAX_AGE)
    yield
    uploads.purge_expired(now=time.time() + 10 * uploads.UPLOAD_MAX_AGE)


def stored_uploads():
    try:
        return default_storage.listdir(uploads.UPLOAD_FOLDER)[1]
    except FileNotFoundError:
        return []


def spreadsheet(ags, count=3, title="Importiert", header=HEADER):
    rows = [
        ["", ags, f"{title} {n}", "Kurz.", "Lang.", "Wohnen; Sprache", "Familien", "laufend",
         "Import, Test"]
        for n in range(1, count + 1)
    ]  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *[row[: len(header)] for row in rows]])
    return buffer.getvalue().encode("utf-8")


def upload(client, content, name="programme.csv", fmt="0"):
    file = SimpleUploadedFile(name, content)
    return client.post(IMPORT_URL, {"import_file": file, "format": fmt, "resource": "0"})


def confirm(client, preview):
    return client.post(CONFIRM_URL, preview.context["confirm_form"].initial)


def _without_savepoints(context):
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def _measured(client, content):
    with CaptureQueriesContext(connection) as preview_queries:
        preview = upload(client, content)
    with CaptureQueriesContext(connection) as confirm_queries:
        confirm(client, preview)
    return _without_savepoints(preview_queries), _without_savepoints(confirm_queries)


# Fast by construction ---------------------------------------------------------------------


def test_preview_queries_do_not_grow_with_the_rows(client, staff_a, county_a):
    client.force_login(staff_a)
    small, _ = _measured(client, spreadsheet(county_a.ags, count=3, title="Klein"))
    large, _ = _measured(client, spreadsheet(county_a.ags, count=30, title="Groß"))
    assert len(large) == len(small)


def test_preview_writes_nothing(client, staff_a, county_a):
    client.force_login(staff_a)
    preview, _ = _measured(client, spreadsheet(county_a.ags, count=3))
    assert not [sql for sql in preview if sql.startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_confirmed_import_takes_a_few_queries_per_row(client, staff_a, county_a):
    client.force_login(staff_a)
    _, small = _measured(client, spreadsheet(county_a.ags, count=3, title="Klein"))
    _, large = _measured(client, spreadsheet(county_a.ags, count=30, title="Groß"))
    # Saving the row, and what other parts ask for each saved programme: the content version,
    # the fundings and documents of its history record, the keywords of its search document.
    # Row by row, it used to be some 80.
    assert (len(large) - len(small)) / 27 <= 6
    assert Programme.objects.count() == 33


def test_every_imported_row_gets_one_history_record_with_its_lists(client, staff_a, county_a):
    client.force_login(staff_a)
    confirm(client, upload(client, spreadsheet(county_a.ags, count=3)))
    for programme in Programme.objects.all():
        record = programme.history.get()
        assert record.history_type == "+"
        assert record.history_user == staff_a
        assert record.keywords_snapshot == "Import, Test"
        assert record.fields_of_action.count() == 2
        assert sorted(programme.keywords.names()) == ["Import", "Test"]
        assert programme.fields_of_action.count() == 2


def test_updating_rows_replaces_their_lists_and_records_a_change(client, staff_a, county_a):
    programme = ProgrammeFactory(county=county_a, slug="bestehend", fields=["work"])
    programme.keywords.add("Alt")
    client.force_login(staff_a)
    content = spreadsheet(county_a.ags, count=1).replace(b"\r\n,", b"\r\nbestehend,", 1)
    preview = upload(client, content)
    html = preview.content.decode()
    assert "<ins>" in html and "<ins style" not in html  # no style the CSP blocks
    confirm(client, preview)
    programme.refresh_from_db()
    assert programme.title == "Importiert 1"
    assert sorted(programme.keywords.names()) == ["Import", "Test"]
    assert sorted(f.slug for f in programme.fields_of_action.all()) == ["housing", "language"]
    assert programme.history.latest().history_type == "~"
    assert Programme.objects.count() == 1


@POSTGRES
def test_search_documents_are_written_once_after_all_rows(client, staff_a, county_a):
    from programmes.search import search

    client.force_login(staff_a)
    _, queries = _measured(client, spreadsheet(county_a.ags, count=5))
    assert len([sql for sql in queries if "INSERT INTO programmes_searchdocument" in sql]) == 1
    assert search(Programme.objects.all(), "Importiert").count() == 5


def test_the_preview_shows_the_lists_of_new_rows(client, staff_a, county_a):
    client.force_login(staff_a)
    page = upload(client, spreadsheet(county_a.ags, count=1)).content.decode()
    assert "Wohnen; Sprache" in page
    assert "Import, Test" in page


# Limits -----------------------------------------------------------------------------------


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(
    client, staff_a, county_a, monkeypatch
):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 200)
    monkeypatch.setattr(uploads.CSV, "read_rows", pytest.fail)  # parsing would fail the test
    client.force_login(staff_a)
    response = upload(client, spreadsheet(county_a.ags, count=10))
    assert response.status_code == 200
    assert "Die Datei ist größer als" in response.content.decode()
    assert stored_uploads() == []


def test_a_file_with_too_many_rows_is_refused(client, staff_a, county_a, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 5)
    client.force_login(staff_a)
    response = upload(client, spreadsheet(county_a.ags, count=6))
    assert "mehr als 5 Zeilen" in response.content.decode()
    assert not Programme.objects.exists()
    assert stored_uploads() == []


# The stored file --------------------------------------------------------------------------


def test_nothing_reaches_the_system_temp_folder(
    client, staff_a, county_a, tmp_path, monkeypatch, settings
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # Django would write this upload to disk
    spooled = []
    for module in (tempfile, django_temp):
        real = module.NamedTemporaryFile

        def spy(*args, _real=real, **kwargs):
            spooled.append(kwargs)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "NamedTemporaryFile", spy)
    client.force_login(staff_a)

    preview = upload(client, spreadsheet(county_a.ags, count=20))
    assert list(tmp_path.iterdir()) == []
    assert len(stored_uploads()) == 1
    confirm(client, preview)

    assert list(tmp_path.iterdir()) == []
    assert spooled == []
    assert stored_uploads() == []
    assert Programme.objects.count() == 20


def test_cancel_deletes_the_upload_and_imports_nothing(client, staff_a, county_a):
    client.force_login(staff_a)
    preview = upload(client, spreadsheet(county_a.ags))
    assert "Abbrechen" in preview.content.decode()
    assert len(stored_uploads()) == 1

    response = client.post(CANCEL_URL, preview.context["confirm_form"].initial)

    assert response.status_code == 302
    assert response.url == reverse("admin:programmes_programme_changelist")
    assert stored_uploads() == []
    assert not Programme.objects.exists()
    assert confirm(client, preview).status_code == 302  # nothing left to confirm
    assert not Programme.objects.exists()


def test_cancel_takes_a_post_from_someone_who_may_import(client, staff_a, administrator, county_a):
    client.force_login(staff_a)
    data = upload(client, spreadsheet(county_a.ags)).context["confirm_form"].initial
    assert client.get(CANCEL_URL).status_code == 405
    client.force_login(administrator)
    assert client.post(CANCEL_URL, data).status_code == 403
    client.logout()
    assert client.post(CANCEL_URL, data).status_code == 302  # to the login
    assert len(stored_uploads()) == 1


def test_upload_and_cancel_check_the_csrf_token(staff_a, county_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    assert upload(client, spreadsheet(county_a.ags)).status_code == 403
    assert client.post(CANCEL_URL, {}).status_code == 403
    assert stored_uploads() == []


def test_confirming_twice_imports_once_and_says_why(client, staff_a, county_a):
    client.force_login(staff_a)
    preview = upload(client, spreadsheet(county_a.ags))
    confirm(client, preview)
    response = client.post(CONFIRM_URL, preview.context["confirm_form"].initial, follow=True)
    assert "nicht mehr vorhanden" in response.content.decode()
    assert Programme.objects.count() == 3


def test_a_preview_older_than_two_hours_must_be_uploaded_again(
    client, staff_a, county_a, monkeypatch
):
    client.force_login(staff_a)
    preview = upload(client, spreadsheet(county_a.ags))
    monkeypatch.setattr(uploads, "UPLOAD_MAX_AGE", -1)
    response = confirm(client, preview)
    assert response.status_code == 302
    assert response.url == IMPORT_URL
    assert not Programme.objects.exists()


def test_a_forged_file_name_is_refused(client, staff_a, county_a):
    client.force_login(staff_a)
    data = {**upload(client, spreadsheet(county_a.ags)).context["confirm_form"].initial}
    data["import_file_name"] = "../../settings.py"
    assert client.post(CONFIRM_URL, data).status_code == 302
    data["format"] = "7"
    assert client.post(CONFIRM_URL, data).status_code == 302
    assert not Programme.objects.exists()


def _store(age_in_seconds, letter):
    name = f"{int(time.time()) - age_in_seconds}-{letter * 32}"
    default_storage.save(f"{uploads.UPLOAD_FOLDER}/{name}", ContentFile(b"Kontaktdaten"))
    return name


def test_expired_uploads_are_removed_when_an_import_starts(client, staff_a, county_a):
    old, fresh = _store(3 * 60 * 60, "a"), _store(60, "b")
    client.force_login(staff_a)
    upload(client, spreadsheet(county_a.ags))
    names = stored_uploads()
    assert old not in names
    assert fresh in names
    assert len(names) == 2


def test_purge_command_removes_expired_uploads(db):
    _store(3 * 60 * 60, "a")
    fresh = _store(60, "b")
    call_command("purge_import_uploads", stdout=io.StringIO())
    assert stored_uploads() == [fresh]


def test_data_changed_since_the_preview_imports_nothing(client, staff_a, county_a, county_b):
    client.force_login(staff_a)
    content = spreadsheet(county_a.ags, count=2).replace(b"\r\n,", b"\r\nneue-adresse,", 1)
    preview = upload(client, content)
    ProgrammeFactory(county=county_b, slug="neue-adresse")  # taken in the meantime
    response = confirm(client, preview)
    assert response.status_code == 200
    assert "neue-adresse" in response.content.decode()
    assert Programme.objects.count() == 1
    assert stored_uploads() == []


# What went wrong, in German -----------------------------------------------------------------


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BROKEN_FILES = {
    "damaged xlsx": (b"PK\x03\x04" + b"\x00kaputt" * 50, "p.xlsx", "1", "beschädigt"),
    "xlsx chosen as csv": (_xlsx([HEADER]), "p.xlsx", "0", "Excel-Datei (XLSX)"),
    "csv chosen as xlsx": (b"Titel,Status\nA,laufend\n", "p.csv", "1", "keine Excel-Datei"),
    "old excel": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "p.xls", "1", "alten Excel-Format"),
    # Neither UTF-8 nor Windows-1252 (which German Excel writes; tests/test_excel_csv.py).
    "unknown encoding": (b"Titel\n\x81\x8d\x90\n", "p.csv", "0", "Zeichen der CSV-Datei"),
    "zero bytes": (b"", "p.csv", "0", "Die übertragene Datei ist leer."),
    "blank lines": (b"\xef\xbb\xbf\r\n \r\n", "p.csv", "0", "Die Datei ist leer."),
    "only headers": (",".join(HEADER).encode(), "p.csv", "0", "nur die Spaltennamen"),
    "only headers xlsx": (_xlsx([HEADER, [None] * 3]), "p.xlsx", "1", "nur die Spaltennamen"),
    "missing column": (
        spreadsheet("99001", header=[c for c in HEADER if c != "Titel"]),
        "p.csv",
        "0",
        "Es fehlt die Spalte „Titel“",
    ),
    "a value beyond the columns": (
        spreadsheet("99001") + b",,,,,,,,,zu viel\n",
        "p.csv",
        "0",
        "Spalte ohne Namen",
    ),
}


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_broken_file_is_described_in_german(client, staff_a, county_a, case):
    content, name, fmt, message = BROKEN_FILES[case]
    client.force_login(staff_a)
    response = upload(client, content, name, fmt)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    for internal in ["Traceback", "Error", "Exception", "trat auf", "/tmp", "/work", ".py"]:
        assert internal not in page
    assert stored_uploads() == []
    assert not Programme.objects.exists()


def test_an_unknown_term_is_an_error_of_its_column(client, staff_a, county_a):
    client.force_login(staff_a)
    content = spreadsheet(county_a.ags, count=1).replace(b"Wohnen; Sprache", b"Tanzen")
    page = upload(client, content).content.decode()
    assert "Unbekannt: Tanzen" in page
    assert "Handlungsfelder" in page
    assert "Traceback" not in page


def test_an_unexpected_error_shows_no_internals(client, staff_a, county_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("geheim /srv/portal/programmes/resources.py")

    monkeypatch.setattr(ProgrammeResource, "before_import_row", broken)
    client.force_login(staff_a)
    response = upload(client, spreadsheet(county_a.ags, count=2))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Zeile 1 konnte nicht verarbeitet werden" in page
    assert "Es wurde nichts gespeichert" in page
    for internal in ["geheim", "/srv", "RuntimeError", "Traceback"]:
        assert internal not in page
    assert stored_uploads() == []
