import csv

import pytest

from counties.loader import DEFAULT_CSV, load_counties
from counties.models import County, CountyCategory, State

pytestmark = pytest.mark.django_db


def test_loader_creates_all_400_kreise_in_16_states():
    result = load_counties()

    assert result.created == 400
    assert County.objects.count() == 400
    assert County.objects.filter(category=CountyCategory.LANDKREIS).count() == 294
    assert County.objects.filter(category=CountyCategory.KREISFREIE_STADT).count() == 106
    assert State.objects.count() == 16


def test_loader_keeps_leading_zeros_and_official_figures(counties):
    flensburg = County.objects.get(ags="01001")
    assert flensburg.name == "Flensburg, Stadt"
    assert flensburg.state.name == "Schleswig-Holstein"
    assert flensburg.population == 89504
    assert flensburg.density == round(89504 / 56.73)


def test_eisenach_is_part_of_the_wartburgkreis(counties):
    assert not County.objects.filter(ags="16056").exists()
    assert County.objects.filter(ags="16063", name__icontains="Wartburgkreis").exists()


def test_second_run_changes_and_duplicates_nothing(counties):
    result = load_counties()

    assert (result.created, result.updated, result.unchanged) == (0, 0, 400)
    assert County.objects.count() == 400


def test_rerun_updates_official_figures_but_never_the_staff_profile(counties, tmp_path):
    neuss = County.objects.get(ags="05162")
    neuss.profile_text = "Das Integrationsbüro koordiniert alles."
    neuss.office_email = "integration@example.org"
    neuss.concept_year = 2019
    neuss.save()
    changed = tmp_path / "kreise.csv"
    with open(DEFAULT_CSV, encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["ags"] == "05162":
            row["population"] = "460000"
    with open(changed, "w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)

    result = load_counties(path=changed)

    neuss.refresh_from_db()
    assert result.updated == 1
    assert neuss.population == 460000
    assert neuss.profile_text == "Das Integrationsbüro koordiniert alles."
    assert neuss.office_email == "integration@example.org"
    assert neuss.concept_year == 2019
    assert neuss.slug == "rhein-kreis-neuss"


def test_slugs_are_unique_and_german(counties):
    slugs = list(County.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 400
    assert County.objects.get(ags="08336").slug == "loerrach"
    assert {"landkreis-heilbronn", "stadtkreis-heilbronn"} <= set(slugs)


def test_load_counties_command_reports_what_it_did(counties, capsys):
    from django.core.management import call_command

    call_command("load_counties")

    assert "unverändert: 400" in capsys.readouterr().out
