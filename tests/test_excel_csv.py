"""Spreadsheets as German Excel writes and reads them: semicolons, Windows-1252 or UTF-8 with
a byte order mark, amounts like 18.000,50; errors as German sentences naming row and column."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programmes.models import Programme
from tests.factories import ProgrammeFactory
from tests.test_exports_formulas import _staff_export
from tests.test_import_scale import confirm, upload

pytestmark = pytest.mark.django_db

COLUMNS = [
    "Adresskürzel", "Kreisschlüssel (AGS)", "Titel", "Kurzbeschreibung", "Beschreibung",
    "Handlungsfelder", "Zielgruppen", "Status", "Beginn", "Erreichte Personen",
    "Jahresbudget (Euro)",
]  # fmt: skip


def german_excel_csv(ags, *, budget="18.000,50", reach="1.200", encoding="cp1252"):
    row = ["", ags, "Sprachcafé für Mütter", "Kurz.", "Lang.", "Sprache", "Frauen", "laufend",
           "01.09.2024", reach, budget]  # fmt: skip
    lines = [";".join(COLUMNS), ";".join(row)]
    return "\r\n".join(lines).encode(encoding)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_a_semicolon_file_from_german_excel_imports(client, staff_a, county_a, encoding):
    client.force_login(staff_a)
    preview = upload(client, german_excel_csv(county_a.ags, encoding=encoding))
    assert preview.context["confirm_form"] is not None, preview.content.decode()
    confirm(client, preview)
    programme = Programme.objects.get()
    assert programme.title == "Sprachcafé für Mütter"
    assert programme.budget == Decimal("18000.50")
    assert programme.reach == 1200
    assert programme.start_date.isoformat() == "2024-09-01"


@pytest.mark.parametrize(
    ("written", "amount"),
    [("18000,5", "18000.5"), ("18.000", "18000"), ("18 000 €", "18000"), ("18000.50", "18000.50")],
)
def test_amounts_are_read_as_germans_write_them(client, staff_a, county_a, written, amount):
    client.force_login(staff_a)
    confirm(client, upload(client, german_excel_csv(county_a.ags, budget=written)))
    assert Programme.objects.get().budget == Decimal(amount)


def test_a_wrong_amount_is_a_german_sentence_naming_row_and_column(client, staff_a, county_a):
    client.force_login(staff_a)
    preview = upload(client, german_excel_csv(county_a.ags, budget="viel Geld"))
    page = preview.content.decode()
    assert not preview.context.get("confirm_form")
    sentence = (
        "Zeile 2, Spalte „Jahresbudget (Euro)“: „viel Geld“ ist keine Zahl (z. B. 18.000,50)."
    )
    assert sentence in page
    assert "InvalidOperation" not in page and "ConversionSyntax" not in page
    assert not Programme.objects.exists()


def test_the_export_is_what_german_excel_opens_and_it_reads_back(client, staff_a, county_a):
    ProgrammeFactory(county=county_a, title="Wohnraum für Familien", budget=Decimal("18000.50"))
    client.force_login(staff_a)
    content = _staff_export(client, "0")
    assert content.startswith("\ufeff".encode())
    header = content.decode("utf-8-sig").splitlines()[0]
    assert header.count(";") > 5 and "Kreisschlüssel (AGS)" in header
    assert ";18000,50;" in content.decode("utf-8-sig")
    preview = upload(client, content)
    assert preview.context["confirm_form"] is not None, preview.content.decode()
    export_page = client.get(reverse("admin:programmes_programme_export")).content.decode()
    assert "Semikolon" in export_page


INFORMAL = ["klicke ", "korrigiere ", "deiner ", "deine ", " du ", "lade sie"]
ENGLISH = ["Select all", "Slug (", "County (", "Title (", "Submit", "Preview"]


def test_import_and_export_pages_speak_formal_german(client, staff_a, county_a):
    from tests.test_import_scale import spreadsheet

    client.force_login(staff_a)
    pages = [
        client.get(reverse("admin:programmes_programme_import")),
        upload(client, spreadsheet(county_a.ags, count=1)),
        upload(client, german_excel_csv(county_a.ags, budget="x")),
        client.get(reverse("admin:programmes_programme_export")),
    ]
    for response in pages:
        html = response.content.decode()
        content = html[html.index('id="content"') :]
        for word in INFORMAL + ENGLISH:
            assert word not in content, word
    preview = pages[1].content.decode()
    assert "Import, Test" in preview  # the keywords it will save
    assert 'class="table-scroll"' in preview  # wide, but inside its own scrolling box
    assert ">Titel<" in pages[3].content.decode()
