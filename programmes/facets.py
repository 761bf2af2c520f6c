"""Facet counts: how many programmes each choice of a filter would give, the other active
filters applied. One query per facet, whatever the number of rows or choices."""

from django.db.models import Count

from .models import Programme

FACETS = {
    "handlungsfeld": "fields_of_action__slug",
    "zielgruppe": "target_groups__slug",
    "land": "county__state__slug",
    "kreis": "county__slug",
    "kategorie": "county__category",
    "status": "status",
    "foerderung": "fundings__level",
    "schlagwort": "keywords__slug",
}
NOT_FILTERS = {"sortierung"}


def _queryset_without(filterset, skip):
    """The filterset's queryset with every active filter but `skip` (values already clean)."""
    queryset = filterset.queryset.all()
    for name, value in getattr(filterset.form, "cleaned_data", {}).items():
        if name in NOT_FILTERS or name == skip:
            continue
        queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def facet_counts(filterset):
    counts = {}
    for name, path in FACETS.items():
        ids = _queryset_without(filterset, name).order_by().values("pk")
        rows = (
            Programme.objects.filter(pk__in=ids)
            .values(path)
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        counts[name] = {str(row[path]): row["n"] for row in rows if row[path] is not None}
    best = _queryset_without(filterset, "praxisbeispiel").order_by().values("pk")
    counts["praxisbeispiel"] = {
        "on": Programme.objects.filter(pk__in=best, best_practice__is_recognised=True).count()
    }
    return counts
