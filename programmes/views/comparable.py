"""Practice from counties like one's own: similar in kind, population and area."""

import re

from django.shortcuts import render

from counties.models import County, CountyCategory
from portal.listing import shown
from portal.roles import county_ids

from .. import neighbours, terms
from ..models import (
    FieldOfAction,
    Programme,
    SearchSubscription,
)

COMPARABLE_PROGRAMMES = 30


def _county_label(county):
    return f"{county.name} ({county.official_kind})"


# How people name a county around its name: "Landkreis Cham", "LK Cham", "Kreis Cham".
COUNTY_WORDS = re.compile(r"^(landkreis|lkr?\.?|kreis|stadtkreis)\s+", re.IGNORECASE)
CITY_WORDS = re.compile(r"^(stadt|kreisfreie stadt)\s+", re.IGNORECASE)


def _resolve_county(text, counties):
    """A county from what the person typed or picked: "Name (Art)", the name, the slug, or
    the name with the kind of county in front ("LK Cham", "Stadt Ansbach")."""
    wanted = shown(text or "", limit=120).strip().casefold()
    if not wanted:
        return None, []
    for county in counties:
        if wanted in {_county_label(county).casefold(), county.slug}:
            return county, []
    kind = None
    if COUNTY_WORDS.match(wanted):
        wanted, kind = COUNTY_WORDS.sub("", wanted), CountyCategory.LANDKREIS
    elif CITY_WORDS.match(wanted):
        wanted, kind = CITY_WORDS.sub("", wanted), CountyCategory.KREISFREIE_STADT
    by_name = [
        county
        for county in counties
        if wanted in {county.name.casefold(), county.name.split(",")[0].casefold()}
        and (kind is None or county.category == kind)
    ]
    if len(by_name) == 1:
        return by_name[0], []
    candidates = by_name or [c for c in counties if wanted in c.name.casefold()]
    return None, candidates[:8]


def comparable(request):
    """Praxis aus vergleichbaren Kreisen: programmes of the counties most like mine."""
    counties = list(County.objects.select_related("state"))
    county, candidates = _resolve_county(request.GET.get("kreis"), counties)
    fields = FieldOfAction.objects.all()
    wanted = request.GET.get("handlungsfeld")
    field = next((f for f in fields if wanted in (f.address, f.slug)), None)
    query = shown(request.GET.get("kreis") or "", limit=120).strip()
    context = {
        "counties": counties,
        "labels": [_county_label(c) for c in counties],
        "county": county,
        "candidates": candidates,
        "fields": fields,
        "field": field,
        "query": query,
        "ambiguous": sum(c.name.casefold() == query.casefold() for c in candidates) > 1,
        "unknown_field": bool(request.GET.get("handlungsfeld")) and field is None,
    }
    own = county_ids(request.user)
    if own:  # county staff follow the counties like theirs in one click
        context["follow_counties"] = [c for c in counties if c.pk in own]
        context["followed"] = set(
            SearchSubscription.objects.filter(
                user=request.user, similar_to__isnull=False
            ).values_list("similar_to_id", flat=True)
        )
    if county is not None:
        similar_ids = neighbours.similar_taking_part(county, request)
        similar = neighbours.similar_with_counts(county, request)
        programmes = (
            Programme.objects.published()
            .filter(county__in=similar_ids)
            .with_best_practice_flag()
            .for_cards()
            .order_by("-is_best_practice", "-published_at")
        )
        if field is not None:
            programmes = programmes.filter(fields_of_action=field)
        programmes = list(programmes[:COMPARABLE_PROGRAMMES])
        terms.attach((), programmes, request=request)
        context.update(
            similar=similar,
            programmes=programmes,
            county_label=_county_label(county),
            own_count=Programme.objects.published().for_county(county).count(),
        )
    return render(request, "programmes/comparable.html", context)
