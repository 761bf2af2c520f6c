"""Figures for the statistics page: each table feeds a chart, its data table and a CSV."""

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncQuarter
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from counties.models import State
from programmes.enums import PublicationState
from programmes.models import FieldOfAction, Programme, TargetGroup

PUBLISHED = Q(programmes__publication_state=PublicationState.PUBLISHED)
QUARTERS_SHOWN = 12


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list  # (label, value) or (label, value, total)

    @property
    def maximum(self):
        return max([row[-1] for row in self.rows] + [1])


def counties_taking_part():
    states = State.objects.annotate(
        total=Count("counties", distinct=True),
        taking_part=Count(
            "counties",
            filter=Q(counties__programmes__publication_state=PublicationState.PUBLISHED),
            distinct=True,
        ),
    ).order_by("name")
    return Table(
        "kreise-nach-land",
        _("Counties taking part, by state"),
        [_("State"), _("Counties with published programmes"), _("All counties")],
        [(state.name, state.taking_part, state.total) for state in states],
    )


def _term_counts(model, slug, title, label):
    terms = model.objects.annotate(n=Count("programmes", filter=PUBLISHED)).order_by("position")
    return Table(
        slug, title, [label, _("Published programmes")], [(term.name, term.n) for term in terms]
    )


def programmes_by_field():
    return _term_counts(
        FieldOfAction,
        "programme-nach-handlungsfeld",
        _("Programmes by field of action"),
        _("Field of action"),
    )


def programmes_by_target_group():
    return _term_counts(
        TargetGroup, "programme-nach-zielgruppe", _("Programmes by target group"), _("Target group")
    )


def published_per_quarter():
    counts = (
        Programme.objects.published()
        .annotate(quarter=TruncQuarter("published_at"))
        .values("quarter")
        .annotate(n=Count("pk"))
        .order_by("-quarter")[:QUARTERS_SHOWN]
    )
    rows = [
        (f"{(row['quarter'].month - 1) // 3 + 1}. Q. {row['quarter'].year}", row["n"])
        for row in reversed(list(counts))
    ]
    return Table(
        "neu-je-quartal",
        _("Newly published programmes per quarter"),
        [_("Quarter"), _("Newly published")],
        rows,
    )


MOST_ADOPTED_SHOWN = 10


def most_adopted():
    sources = (
        Programme.objects.published()
        .annotate(
            n=Count(
                "adoptions",
                filter=Q(adoptions__publication_state=PublicationState.PUBLISHED),
            )
        )
        .filter(n__gt=0)
        .select_related("county")
        .only("title", "county__name")
        .order_by("-n", "title")[:MOST_ADOPTED_SHOWN]
    )
    return Table(
        "meist-uebernommen",
        _("Most adopted practices"),
        [_("Practice"), _("Counties that took it over")],
        [(f"{p.title} ({p.county.name})", p.n) for p in sources],
    )


def _adoptions(model, path, slug, title, label):
    """Published programmes taken over from another county, counted per `model` row;
    `path` leads from the row to the programmes."""
    rows = model.annotate(
        n=Count(
            path,
            filter=Q(
                **{
                    f"{path}__adapted_from_title__gt": "",
                    f"{path}__publication_state": PublicationState.PUBLISHED,
                }
            ),
        )
    )
    return Table(
        slug, title, [label, _("Programmes taken over")], [(row.name, row.n) for row in rows]
    )


def adoptions_by_field():
    return _adoptions(
        FieldOfAction.objects.order_by("position"),
        "programmes",
        "uebernahmen-nach-handlungsfeld",
        _("Practices taken over, by field of action"),
        _("Field of action"),
    )


def adoptions_by_state():
    return _adoptions(
        State.objects.order_by("name"),
        "counties__programmes",
        "uebernahmen-nach-land",
        _("Practices taken over, by state of the county taking over"),
        _("State"),
    )


TABLES = {
    table.__name__: table
    for table in (
        counties_taking_part,
        programmes_by_field,
        programmes_by_target_group,
        published_per_quarter,
        most_adopted,
        adoptions_by_field,
        adoptions_by_state,
    )
}


def all_tables():
    return [build() for build in TABLES.values()]


def as_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in table.columns])
    writer.writerows(table.rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}.csv"'
    return response
