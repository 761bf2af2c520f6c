"""The transferability card: structured facts of a best-practice profile, shown on the
profile and on cards, filtered by with facet counts, in open data and spreadsheets."""

import csv
import io
import json
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from programmes.models import BestPracticeProfile, PartnerKind, StaffRole
from programmes.resources import ProgrammeResource
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _practice(title, *, population=150_000, recognised=True, **card):
    county = CountyFactory(population=population)
    programme = ProgrammeFactory(title=title, county=county)
    profile = BestPracticeFactory(programme=programme, is_recognised=recognised, **card)
    return programme, profile


@pytest.fixture
def practices():
    small, small_profile = _practice(
        "Lotsen klein",
        population=90_000,
        staff_fte=Decimal("0.5"),
        running_cost=Decimal("18000"),
        setup_cost=Decimal("4000"),
        months_to_start=3,
    )
    small_profile.staff_roles.set(StaffRole.objects.filter(slug="coordination"))
    small_profile.required_partners.set(PartnerKind.objects.filter(slug="jobcenter"))
    middle, _ = _practice(
        "Welcome Center mittel",
        population=200_000,
        staff_fte=Decimal("2"),
        running_cost=Decimal("120000"),
        months_to_start=12,
        costs_as_range=True,
    )
    # Not recognised: its card is not public, so nothing may be counted or shown.
    hidden, _ = _practice(
        "Nicht anerkannt", staff_fte=Decimal("0.1"), running_cost=Decimal("1"), recognised=False
    )
    return {"small": small, "middle": middle, "hidden": hidden}


def _titles(response):
    return sorted(p.title for p in response.context["object_list"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stellen=0.5", ["Lotsen klein"]),
        ("stellen=2", ["Lotsen klein", "Welcome Center mittel"]),
        ("kosten=25000", ["Lotsen klein"]),
        ("startklar=6", ["Lotsen klein"]),
        ("startklar=12", ["Lotsen klein", "Welcome Center mittel"]),
        ("erprobt=100000", ["Lotsen klein"]),
    ],
)
def test_the_list_filters_by_the_card(client, practices, query, expected):
    response = client.get(f"/programme/?{query}")
    assert response.status_code == 200
    assert _titles(response) == expected


def test_facet_counts_of_the_card_leave_out_unrecognised_profiles(client, practices):
    facets = client.get("/programme/").context["facets"]
    assert facets["stellen"] == {"0.5": 1, "1": 1, "2": 2}
    assert facets["kosten"] == {"25000": 1, "50000": 1}
    assert facets["startklar"] == {"3": 1, "6": 1, "12": 2}
    # Every programme runs somewhere: the county-size facet counts all three.
    assert facets["erprobt"] == {"100000": 1, "150000": 1, "250000": 3}


def test_an_unknown_bound_is_named_and_ignored(client, practices):
    response = client.get("/programme/?stellen=7&kosten=viel")
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 3
    page = response.content.decode()
    assert "Personalbedarf" in page and "Laufende Kosten" in page


def test_tried_in_counts_the_counties_that_published_a_takeover(client, practices):
    small_county = CountyFactory(population=60_000)
    ProgrammeFactory(title="Übernahme", county=small_county, adapted_from=practices["middle"])
    ProgrammeFactory(
        title="Übernahme Entwurf",
        county=CountyFactory(population=50_000),
        adapted_from=practices["small"],
        draft=True,
    )
    response = client.get("/programme/?erprobt=100000")
    # The middle practice now runs in a small county too; the draft does not count.
    assert _titles(response) == ["Lotsen klein", "Welcome Center mittel", "Übernahme"]
    assert response.context["facets"]["erprobt"]["100000"] == 3


def test_profile_page_shows_the_card(client, practices):
    page = client.get(practices["small"].get_absolute_url()).content.decode()
    for text in [
        "0,5 Vollzeitäquivalente (Koordination)",
        "4.000 €",
        "18.000 €",
        "3 Monate",
        "Jobcenter",
        "90.000 Einwohner",
    ]:
        assert text in page, text
    # Staff asked for ranges: the amount itself is not shown.
    page = client.get(practices["middle"].get_absolute_url()).content.decode()
    assert "100.000–250.000 €" in page
    assert "120.000 €" not in page


def test_best_practice_cards_show_two_or_three_facts(client, practices):
    page = client.get("/programme/?praxisbeispiel=on").content.decode()
    assert "Personal 0,5 VZÄ" in page
    assert "18.000 € im Jahr" in page
    assert "in 3 Monaten startklar" in page
    assert "Personal 0,1 VZÄ" not in page  # not recognised: an ordinary card


def test_open_data_carries_the_card_and_only_public_cards(client, practices):
    document = json.loads(client.get("/programme/daten.json").getvalue())
    rows = {row["title"]: row for row in document["programmes"]}
    small = rows["Lotsen klein"]
    assert small["staff_fte"] == 0.5
    assert small["staff_roles"] == ["coordination"]
    assert small["required_partners"] == ["jobcenter"]
    assert (small["running_cost_min"], small["running_cost_max"]) == (18000.0, 18000.0)
    assert small["months_to_start"] == 3
    middle = rows["Welcome Center mittel"]
    assert (middle["running_cost_min"], middle["running_cost_max"]) == (100_000, 250_000)
    hidden = rows["Nicht anerkannt"]
    assert hidden["staff_fte"] is None and hidden["running_cost_min"] is None
    text = client.get("/programme/daten.csv").getvalue().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert {"staff_fte", "running_cost_max", "tried_in", "adopted_by"} <= set(header)
    assert "staff_fte" in client.get("/offene-daten/").content.decode()


def test_spreadsheet_export_and_import_of_the_card(staff_a, county_a):
    programme = ProgrammeFactory(county=county_a, title="Karte")
    profile = BestPracticeFactory(programme=programme, staff_fte=Decimal("1.5"))
    exported = ProgrammeResource(user=staff_a).export()
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["Stellen (VZÄ)"] in ("1.50", "1,50", "1.5", "1,5", Decimal("1.50"))

    columns = ["Laufende Kosten (Euro/Jahr)", "Rollen des Personals"]
    dataset = tablib.Dataset(
        headers=["Adresskürzel", *columns, "Abhängig von befristeter Förderung"]
    )
    dataset.append([programme.slug, "18.000,50", "Koordination; Unterricht und Lehrkräfte", "ja"])
    result = ProgrammeResource(user=staff_a).import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    profile.refresh_from_db()
    assert profile.running_cost == Decimal("18000.50")
    assert profile.depends_on_funding is True
    assert sorted(profile.staff_roles.values_list("slug", flat=True)) == [
        "coordination",
        "teaching",
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [("Monate bis zum Start", "500"), ("Ohne Großstadt in der Nähe", "vielleicht")],
)
def test_spreadsheet_rejects_bad_card_values(staff_a, county_a, column, value):
    programme = ProgrammeFactory(county=county_a)
    BestPracticeFactory(programme=programme)
    dataset = tablib.Dataset(headers=["Adresskürzel", column])
    dataset.append([programme.slug, value])
    result = ProgrammeResource(user=staff_a).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    errors = result.invalid_rows[0].field_specific_errors
    assert column in errors


def test_spreadsheet_card_without_a_profile_is_an_error(staff_a, county_a):
    programme = ProgrammeFactory(county=county_a)
    dataset = tablib.Dataset(headers=["Adresskürzel", "Stellen (VZÄ)"])
    dataset.append([programme.slug, "1"])
    result = ProgrammeResource(user=staff_a).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not BestPracticeProfile.objects.filter(programme=programme).exists()


def test_staff_fill_in_the_card_in_the_form(client, staff_a, county_a):
    programme = ProgrammeFactory(county=county_a)
    profile = BestPracticeFactory(programme=programme)
    client.force_login(staff_a)
    url = reverse("admin:programmes_bestpracticeprofile_change", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "Personal in Vollzeitäquivalenten" in page
    assert "Koordination des Ehrenamts" in page  # the roles as checkboxes


def test_the_card_is_in_the_history_and_restored_with_its_roles(client, staff_a, county_a):
    from programmes.history import restore, saved_with_one_record

    profile = BestPracticeFactory(programme=ProgrammeFactory(county=county_a))
    with saved_with_one_record(profile, "~"):
        profile.staff_fte = Decimal("1")
        profile.save()
        profile.staff_roles.set(StaffRole.objects.filter(slug="teaching"))
    first = profile.history.latest()
    with saved_with_one_record(profile, "~"):
        profile.staff_fte = Decimal("2")
        profile.save()
        profile.staff_roles.set(StaffRole.objects.filter(slug="coordination"))

    client.force_login(staff_a)
    url = reverse("admin:programmes_bestpracticeprofile_history", args=[profile.pk])
    page = client.get(url).content.decode()
    assert "Aufgaben des Personals" in page and "Unterricht und Lehrkräfte" in page

    restore(record=first, user=staff_a)
    profile.refresh_from_db()
    assert profile.staff_fte == Decimal("1")
    assert list(profile.staff_roles.values_list("slug", flat=True)) == ["teaching"]
