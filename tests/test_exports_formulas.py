"""Text that a spreadsheet would run as a formula leaves every export as plain text, and a
re-imported export is what was exported."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import Programme
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
EXPORT_URL = "admin:programmes_programme_export"


def _programme(county, trigger, **kwargs):
    programme = ProgrammeFactory(
        county=county,
        title="Sprachcafé",
        slug="sprachcafe",
        summary=f'{trigger}HYPERLINK("https://example.org";"Klick")',
        **kwargs,
    )
    programme.keywords.add(f"{trigger}cmd")
    return programme


def _staff_export(client, fmt):
    """The admin's export with every column, as staff download it (0: CSV, 1: XLSX)."""
    url = reverse(EXPORT_URL)
    form = client.get(url).context["form"]
    every_column = {name: "on" for name in form.fields if name.startswith("programmeresource_")}
    return client.post(url, {"format": fmt, "resource": "0", **every_column}).content


def _staff_csv_row(client):
    text = _staff_export(client, "0").decode("utf-8-sig")
    return next(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _staff_xlsx_cells(client):
    sheet = load_workbook(io.BytesIO(_staff_export(client, "1"))).active
    header, row = [cell.value for cell in sheet[1]], sheet[2]
    return dict(zip(header, row, strict=True))


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_open_data_csv_neutralises_formulas(client, county_a, trigger):
    programme = _programme(county_a, trigger)
    response = client.get("/programme/daten.csv")
    row = next(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"), newline="")))
    assert row["summary"] == "'" + programme.summary
    assert row["keywords"] == f"'{trigger}cmd"
    assert row["title"] == "Sprachcafé"


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_open_data_json_keeps_the_text_as_written(client, county_a, trigger):
    programme = _programme(county_a, trigger)
    document = json.loads(client.get("/programme/daten.json").getvalue())
    assert document["programmes"][0]["summary"] == programme.summary
    assert document["programmes"][0]["keywords"] == [f"{trigger}cmd"]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_staff_csv_export_neutralises_formulas(client, staff_a, county_a, trigger):
    programme = _programme(county_a, trigger)
    client.force_login(staff_a)
    row = _staff_csv_row(client)
    assert row["Kurzbeschreibung"] == "'" + programme.summary
    assert row["Schlagwörter"] == f"'{trigger}cmd"
    assert row["Titel"] == "Sprachcafé"


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_staff_xlsx_export_holds_text_not_formulas(client, staff_a, county_a, trigger):
    _programme(county_a, trigger)
    client.force_login(staff_a)
    cells = _staff_xlsx_cells(client)
    for column in ["Kurzbeschreibung", "Schlagwörter"]:
        assert cells[column].data_type == "s"  # a string, not "f" for a formula
        assert cells[column].value.startswith("'")
    assert "HYPERLINK" in cells["Kurzbeschreibung"].value
    assert cells["Titel"].value == "Sprachcafé"


def test_harmless_values_stay_as_they_are(client, staff_a, county_a):
    ProgrammeFactory(
        county=county_a,
        title="Sprachcafé",
        summary="Kosten = 0 Euro; Treffen @ Rathaus",
        reach=40,
        budget=Decimal("-250.00"),  # not allowed by the form, but never text either
    )
    client.force_login(staff_a)
    row = _staff_csv_row(client)
    assert row["Kurzbeschreibung"] == "Kosten = 0 Euro; Treffen @ Rathaus"
    assert row["Jahresbudget (Euro)"] == "-250,00"  # German number format, no apostrophe
    cells = _staff_xlsx_cells(client)
    assert cells["Jahresbudget (Euro)"].data_type == "n"
    assert cells["Jahresbudget (Euro)"].value == -250
    assert cells["Erreichte Personen"].value == 40
    open_data = client.get("/programme/daten.csv").getvalue().decode("utf-8-sig")
    assert "Kosten = 0 Euro; Treffen @ Rathaus" in open_data
    assert "'Kosten" not in open_data


def _reimport(client, content, name, fmt):
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("admin:programmes_programme_import"),
        {"import_file": upload, "format": fmt, "resource": "0"},
    )
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.content.decode()
    client.post(reverse("admin:programmes_programme_process_import"), confirm.initial)


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@"])
def test_a_reimported_csv_export_adds_no_apostrophes(client, staff_a, county_a, trigger):
    programme = _programme(county_a, trigger, description="- erster Punkt\n- zweiter Punkt")
    client.force_login(staff_a)
    _reimport(client, _staff_export(client, "0"), "programme.csv", "0")
    programme.refresh_from_db()
    assert programme.summary.startswith(trigger)
    assert programme.description == "- erster Punkt\n- zweiter Punkt"
    assert programme.keywords.names()[0] == f"{trigger}cmd"
    assert Programme.objects.count() == 1


def test_a_reimported_xlsx_export_adds_no_apostrophes(client, staff_a, county_a):
    programme = _programme(county_a, "=", contact_phone="+49 211 123456")
    client.force_login(staff_a)
    _reimport(client, _staff_export(client, "1"), "programme.xlsx", "1")
    programme.refresh_from_db()
    assert programme.summary.startswith("=HYPERLINK")
    assert programme.contact_phone == "+49 211 123456"
    assert programme.keywords.names()[0] == "=cmd"


def test_the_import_template_shows_its_list_example_as_text(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("admin:programmes_programme_import_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    goals = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))["Ziele"]
    assert goals.data_type == "s"
    assert goals.value.startswith("'- Alltagsdeutsch")
