"""Spreadsheet uploads for the programme import, from the upload to the confirmation.

- A file is capped (MAX_UPLOAD_BYTES, MAX_ROWS) before any parsing work and kept in memory
  while it arrives, so nothing of it reaches the system temp folder.
- Between preview and confirmation it lives in Django's default storage (the media folder, or
  S3 when the portal runs on several servers) under a name that carries its upload time. The
  confirmation and a cancel remove it; leftovers of abandoned previews expire after
  UPLOAD_MAX_AGE (`purge_expired`, run whenever an import starts and by `purge_import_uploads`).
- A file that cannot be read is described in a German sentence (SpreadsheetError): never an
  exception class, a traceback or a server path.
"""

import csv
import io
import logging
import re
import time
import uuid
import zipfile

import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.formats import base_formats
from import_export.tmp_storages import BaseStorage

logger = logging.getLogger(__name__)

# 2,000 programmes with descriptions of 150 to 400 words take 6.5 MB. 3,000 such rows (10 MB)
# import in about 20 s on two cores, within gunicorn's 30 s; 5,000 shorter ones took 34 s.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 3000
# An XLSX file is a zip archive: what it unpacks to is capped too (a "zip bomb" is tiny).
MAX_UNPACKED_BYTES = 20 * MAX_UPLOAD_BYTES
UPLOAD_MAX_AGE = 2 * 60 * 60  # seconds
UPLOAD_FOLDER = "import-uploads"
UPLOAD_NAME = re.compile(r"^(?P<time>\d{10})-[0-9a-f]{32}$")
XLSX_SIGNATURE = b"PK\x03\x04"
OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0"


class SpreadsheetError(Exception):
    """A file that cannot be imported; the message says why, in German, for the uploader."""


class UploadGone(Exception):
    """The stored file of a preview is no longer there: confirmed, cancelled or expired."""


# Uploading -------------------------------------------------------------------------------


class CappedMemoryUploadHandler(FileUploadHandler):
    """Keeps an uploaded spreadsheet in memory, never in the system temp folder, and stops
    keeping it once it passes MAX_UPLOAD_BYTES; the form then only reports its size."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer, self.received = io.BytesIO(), 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= MAX_UPLOAD_BYTES:
            self.buffer.write(raw_data)
        elif self.buffer.tell():
            self.buffer = io.BytesIO()  # too large: what arrived so far is dropped
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def size_error(upload):
    """The German message for a file above the limit, or None."""
    if upload.size <= MAX_UPLOAD_BYTES:
        return None
    return _(
        "The file is larger than %(limit)d MB. Please split it into several files of at most "
        "%(rows)d rows each."
    ) % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": MAX_ROWS}


# Reading ---------------------------------------------------------------------------------


def _sheet(rows, required_columns):
    """The dataset of a sheet's rows: first row the column names, blank rows left out."""
    rows = iter(rows)
    headers = _headers(next((row for row in rows if not _all_blank(row)), ()), required_columns)
    data = []
    for row in rows:
        if _all_blank(row):
            continue
        if len(data) == MAX_ROWS:
            raise SpreadsheetError(
                _("The file has more than %(rows)d rows. Please split it into several files.")
                % {"rows": MAX_ROWS}
            )
        cells = ["" if value is None else value for value in row]
        if not _all_blank(cells[len(headers) :]):
            raise SpreadsheetError(
                _("Row %(row)d has a value in a column without a name in the first row.")
                % {"row": len(data) + 1}
            )
        data.append(cells[: len(headers)] + [""] * (len(headers) - len(cells)))
    if not data:
        raise SpreadsheetError(_("The file holds only the column names, no programmes."))
    return tablib.Dataset(*data, headers=headers)


def _all_blank(values):
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _headers(row, required_columns):
    headers = ["" if value is None else str(value).strip() for value in row]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise SpreadsheetError(_("The file is empty."))
    missing = [column for column in required_columns if column not in headers]
    if missing:
        raise SpreadsheetError(
            ngettext(
                "The column %(columns)s is missing.",
                "The columns %(columns)s are missing.",
                len(missing),
            )
            % {"columns": ", ".join(_("“%(name)s”") % {"name": column} for column in missing)}
            + " "
            + _("The first row must hold the column names, as in the template.")
        )
    return headers


class CheckedFormat:
    """Reads a file itself, row by row (`read_rows` yields them), to say in German what is
    wrong with it and to stop at MAX_ROWS (django-import-export would show exception names
    such as 'InvalidDimensions')."""

    required_columns = ()

    def create_dataset(self, in_stream, **kwargs):
        try:
            return _sheet(self.read_rows(in_stream), self.required_columns)
        except SpreadsheetError:
            raise
        except Exception as error:  # whatever a broken file makes the parser raise
            logger.info("Unreadable %s upload: %r", self.get_title(), error)
            raise SpreadsheetError(self.unreadable()) from error


class CSV(CheckedFormat, base_formats.CSV):
    def unreadable(self):
        return _(
            "The file cannot be read as CSV. Save it from your spreadsheet program as "
            "“CSV UTF-8” or start from the template."
        )

    def read_rows(self, data):
        if isinstance(data, bytes):
            _not_a_csv_file(data)
            data = _decoded(data)
        text = data.removeprefix("\ufeff")
        if "\x00" in text:
            raise SpreadsheetError(self.unreadable())
        # German Excel separates with semicolons, others with commas or tabs: the first row,
        # the column names, tells.
        first_line = text.split("\n", 1)[0]
        delimiter = max(DELIMITERS, key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as error:
            raise SpreadsheetError(
                _("The CSV file is damaged in line %(line)d.") % {"line": reader.line_num}
                + " "
                + self.unreadable()
            ) from error


DELIMITERS = (";", ",", "\t")


def _decoded(data):
    """UTF-8 with or without a byte order mark, or else Windows-1252: what Excel writes as
    "CSV UTF-8" and as plain "CSV" on a German Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            _(
                "The characters of the CSV file cannot be read. Please save it as "
                "“CSV UTF-8” or start from the template."
            )
        ) from error


def _not_a_csv_file(data):
    if data.startswith(XLSX_SIGNATURE):
        raise SpreadsheetError(
            _("This is an Excel file (XLSX), not a CSV file: please choose the format “xlsx”.")
        )
    if data.startswith(OLD_EXCEL_SIGNATURE):
        raise SpreadsheetError(_old_excel())


def _old_excel():
    return _("This file is in the old Excel format (XLS). Please save it as XLSX or as CSV UTF-8.")


class XLSX(CheckedFormat, base_formats.XLSX):
    def unreadable(self):
        return _(
            "The Excel file (XLSX) is damaged or cannot be read. Open it in your spreadsheet "
            "program, save it again as XLSX and upload it once more."
        )

    def read_rows(self, data):
        if isinstance(data, str) or not data.startswith(XLSX_SIGNATURE):
            if isinstance(data, bytes) and data.startswith(OLD_EXCEL_SIGNATURE):
                raise SpreadsheetError(_old_excel())
            raise SpreadsheetError(
                _("This is no Excel file (XLSX). If it is a CSV file, please choose “csv”.")
            )
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SpreadsheetError(
                    _("The file has more than %(rows)d rows. Please split it into several files.")
                    % {"rows": MAX_ROWS}
                )
        import openpyxl  # as django-import-export does: only loaded when needed

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Read row by row: _sheet stops after MAX_ROWS, however long the sheet is.
            yield from book.active.iter_rows(values_only=True)
        finally:
            book.close()


# Keeping the file between preview and confirmation ----------------------------------------


def _path(name):
    return f"{UPLOAD_FOLDER}/{name}"


def is_current(name, now=None):
    """A name this module gave, of a file that has not expired yet."""
    match = UPLOAD_NAME.match(name or "")
    return bool(match) and (now or time.time()) - int(match["time"]) < UPLOAD_MAX_AGE


class UploadStorage(BaseStorage):
    """Where django-import-export keeps the upload between preview and confirmation: the
    default storage (IMPORT_EXPORT_TMP_STORAGE_CLASS). Its MediaStorage would create a new
    storage object for every access, and its default writes to the system temp folder."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.read_mode = "rb"  # the formats above decode the text themselves

    def save(self, data):
        self.name = f"{int(time.time())}-{uuid.uuid4().hex}"
        default_storage.save(_path(self.name), ContentFile(data))

    def read(self):
        if not is_current(self.name):
            raise UploadGone(self.name)
        try:
            with default_storage.open(_path(self.name), "rb") as stored:
                return stored.read()
        except FileNotFoundError as error:
            raise UploadGone(self.name) from error

    def remove(self):
        if UPLOAD_NAME.match(self.name or ""):
            default_storage.delete(_path(self.name))


def purge_expired(now=None):
    """Remove the stored files of previews older than UPLOAD_MAX_AGE; returns how many."""
    try:
        _folders, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    expired = [name for name in names if not is_current(name, now)]
    for name in expired:
        default_storage.delete(_path(name))
    return len(expired)
