"""Loads the official list of Kreise (Destatis, CC BY 4.0) into the database."""

import csv
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from portal.text import german_slugify, german_sort_key

from .models import County, State

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "kreise.csv"
# The official figures: a re-run brings them up to date. Everything else on a
# County (its profile, its slug) belongs to staff or to stable URLs.
OFFICIAL_FIELDS = (
    "name",
    "sort_name",
    "official_kind",
    "category",
    "nuts3",
    "area_km2",
    "population",
)


@dataclass
class LoadResult:
    states_created: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def county_slugs(rows):
    """Slug per AGS. Where two Kreise share a name (Landkreis and Stadt Heilbronn),
    both slugs carry the official kind so that neither depends on load order."""
    names = Counter(german_slugify(row["name"]) for row in rows)
    return {
        row["ags"]: german_slugify(row["name"])
        if names[german_slugify(row["name"])] == 1
        else german_slugify(f"{row['official_kind']} {row['name']}")
        for row in rows
    }


def _official_values(row):
    return {
        "name": row["name"],
        "sort_name": german_sort_key(row["name"]),
        "official_kind": row["official_kind"],
        "category": row["category"],
        "nuts3": row["nuts3"],
        "area_km2": Decimal(row["area_km2"]),
        "population": int(row["population"]),
    }


def _load_states(rows, result):
    states = {}
    for row in rows:
        if row["state_code"] in states:
            continue
        state, created = State.objects.get_or_create(
            code=row["state_code"],
            defaults={"name": row["state"], "slug": german_slugify(row["state"])},
        )
        result.states_created += created
        states[row["state_code"]] = state
    return states


def _load_county(row, state, slug, existing, result):
    values = _official_values(row)
    county = existing.get(row["ags"])
    if county is None:
        County.objects.create(ags=row["ags"], state=state, slug=slug, **values)
        result.created += 1
        return
    changed = [field for field in OFFICIAL_FIELDS if getattr(county, field) != values[field]]
    if county.state_id != state.pk:
        county.state = state
        changed.append("state")
    if not changed:
        result.unchanged += 1
        return
    for field in changed:
        if field != "state":
            setattr(county, field, values[field])
    county.save(update_fields=changed)
    result.updated += 1


@transaction.atomic
def load_counties(*, path=DEFAULT_CSV):
    rows = read_rows(path)
    result = LoadResult()
    states = _load_states(rows, result)
    slugs = county_slugs(rows)
    existing = {county.ags: county for county in County.objects.all()}
    for row in rows:
        _load_county(row, states[row["state_code"]], slugs[row["ags"]], existing, result)
    return result
