"""Invented example programmes attached to real counties, so a first start shows a living portal.

Every programme it creates is marked ``is_demo``; the site shows a notice while any exist.
"""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from counties.models import County
from portal.text import german_slugify

from .enums import PublicationState
from .history import saved_with_one_record
from .models import (
    BestPracticeProfile,
    FieldOfAction,
    Funding,
    Indicator,
    PartnerKind,
    Programme,
    StaffRole,
    TargetGroup,
)
from .search import deferred_updates

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
PROFILE_FIELDS = (
    "starting_situation",
    "approach",
    "results",
    "success_factors",
    "obstacles",
    "transfer_staff",
    "transfer_money",
    "transfer_partners",
    "transfer_time",
)


class DemoRefused(Exception):
    """The database holds real content; demo content must not mix with it."""


def read_demo_entries(directory=DEMO_DIR):
    entries = []
    for path in sorted(Path(directory).glob("programmes_*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


def _unique_slug(title, taken):
    base = german_slugify(title)[:200]
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _optional_date(value):
    return date.fromisoformat(value) if value else None


def _create_programme(entry, *, county, slug, published_at, vocab):
    contact = entry.get("contact") or {}
    published = entry.get("published", True)
    programme = Programme(
        county=county,
        title=entry["title"],
        slug=slug,
        summary=entry["summary"],
        description=entry["description"],
        goals=entry.get("goals", ""),
        partner_names=entry.get("partner_names", ""),
        budget=entry.get("budget"),
        start_date=_optional_date(entry.get("start_date")),
        end_date=_optional_date(entry.get("end_date")),
        status=entry["status"],
        reach=entry.get("reach"),
        contact_name=contact.get("name") or "",
        contact_role=contact.get("role") or "",
        contact_email=contact.get("email") or "",
        contact_phone=contact.get("phone") or "",
        website=entry.get("website") or "",
        publication_state=PublicationState.PUBLISHED if published else PublicationState.DRAFT,
        published_at=published_at if published else None,
        last_confirmed_at=published_at if published else None,
        is_demo=True,
    )
    # One history record per demo programme, not one per relation set below.
    with saved_with_one_record(programme, "+"):
        programme.save()
        _set_relations(programme, entry, vocab)
    return programme


def _set_relations(programme, entry, vocab):
    programme.fields_of_action.set([vocab["fields"][s] for s in entry["fields"]])
    programme.target_groups.set([vocab["groups"][s] for s in entry["target_groups"]])
    programme.partner_kinds.set([vocab["partners"][s] for s in entry.get("partner_kinds", [])])
    programme.keywords.set(entry.get("keywords", []))
    Funding.objects.bulk_create(
        Funding(programme=programme, **funding) for funding in entry.get("fundings", [])
    )


def _create_profile(programme, data, vocab):
    rank = data.get("featured_rank")
    card = dict(data.get("card") or {})
    roles = [vocab["roles"][code] for code in card.pop("staff_roles", [])]
    partners = [vocab["partners"][code] for code in card.pop("required_partners", [])]
    if card.get("staff_fte") is not None:
        card["staff_fte"] = Decimal(str(card["staff_fte"]))
    profile = BestPracticeProfile(
        programme=programme,
        is_recognised=True,
        is_featured=rank is not None,
        featured_rank=rank if rank is not None else 100,
        **{field: data[field] for field in PROFILE_FIELDS},
        **card,
    )
    with saved_with_one_record(profile, "+"):
        profile.save()
        profile.staff_roles.set(roles)
        profile.required_partners.set(partners)
    Indicator.objects.bulk_create(
        Indicator(profile=profile, **indicator) for indicator in data.get("indicators", [])
    )


COUNTY_PROFILE_FIELDS = (
    "profile_text",
    "office_name",
    "office_email",
    "office_phone",
    "office_address",
    "office_website",
    "concept_year",
    "concept_url",
)


def _fill_county_profiles(directory, counties):
    """Example profiles for the demo counties; a field staff already filled stays as it is."""
    path = Path(directory) / "county_profiles.json"
    for entry in json.loads(path.read_text(encoding="utf-8")):
        county = counties[entry["ags"]]
        empty = [f for f in COUNTY_PROFILE_FIELDS if not getattr(county, f) and entry.get(f)]
        for field in empty:
            setattr(county, field, entry[field])
        if empty:
            county.save(update_fields=empty)


def term_lookup():
    """The controlled terms by their codes, as entries name them ("housing")."""
    return {
        "fields": {term.slug: term for term in FieldOfAction.objects.all()},
        "groups": {term.slug: term for term in TargetGroup.objects.all()},
        "partners": {term.slug: term for term in PartnerKind.objects.all()},
        "roles": {term.slug: term for term in StaffRole.objects.all()},
    }


@transaction.atomic
def load_demo(*, directory=DEMO_DIR, now=None):
    """Creates the demo programmes once; returns how many it created (0 if already there)."""
    if Programme.objects.filter(is_demo=False).exists():
        raise DemoRefused("The database already holds programmes that are not demo content.")
    if Programme.objects.filter(is_demo=True).exists():
        return 0
    now = now or timezone.now()
    counties = {county.ags: county for county in County.objects.all()}
    vocab = term_lookup()
    taken = set(Programme.objects.values_list("slug", flat=True))
    entries = read_demo_entries(directory)
    # Each programme's fields, keywords and profile would rewrite its search document again;
    # all documents are written once at the end.
    with deferred_updates():
        created = _create_all(entries, counties=counties, taken=taken, now=now, vocab=vocab)
        _link_lineage(entries, created)
    _fill_county_profiles(directory, counties)
    return len(entries)


def _create_all(entries, *, counties, taken, now, vocab):
    created = {}
    for index, entry in enumerate(entries):
        # Spread publication over the past months so "newest" has a meaning.
        published_at = now - timedelta(days=5 * index + 1)
        programme = _create_programme(
            entry,
            county=counties[entry["county_ags"]],
            slug=_unique_slug(entry["title"], taken),
            published_at=published_at,
            vocab=vocab,
        )
        if entry.get("best_practice"):
            _create_profile(programme, entry["best_practice"], vocab)
        created[entry["title"]] = programme
    return created


def _link_lineage(entries, created):
    """Which demo programme was taken over from which ("adapted_from": the source's title),
    set on the programme and on its one history record."""
    for entry in entries:
        if not entry.get("adapted_from"):
            continue
        programme, source = created[entry["title"]], created[entry["adapted_from"]]
        lineage = {
            "adapted_from": source,
            "adapted_from_title": source.title,
            "adapted_from_county": source.county.name,
            "adaptation_note": entry.get("adaptation_note", ""),
        }
        Programme.objects.filter(pk=programme.pk).update(**lineage)
        Programme.history.filter(id=programme.pk).update(**lineage)
