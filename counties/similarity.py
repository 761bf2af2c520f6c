"""Counties like mine: same category first, then closeness in population and density on a
log scale, and among equals the same Land."""

import math

from .models import County


def _profile(county):
    return math.log(county.population), math.log(county.population / float(county.area_km2))


def distance(county, other):
    (pop_a, dens_a), (pop_b, dens_b) = _profile(county), _profile(other)
    return math.hypot(pop_a - pop_b, dens_a - dens_b)


def similarity_key(county, other):
    return (
        other.category != county.category,
        round(distance(county, other), 6),
        other.state_id != county.state_id,
        other.sort_name,
    )


def similar_counties(county, *, limit=5, candidates=None):
    """The `limit` counties most like `county` (never the county itself)."""
    if candidates is None:
        candidates = County.objects.select_related("state")
    others = [other for other in candidates if other.pk != county.pk]
    return sorted(others, key=lambda other: similarity_key(county, other))[:limit]
