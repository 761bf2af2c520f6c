"""Facet counts: how many programmes each choice of a filter would give, the other active
filters applied.

All counts come from one SQL statement. The matching programmes are computed once per set
of applied filters, as a common table expression (PostgreSQL materialises one that is used
several times): facets whose own filter is not in use share the set of the whole query;
each facet whose filter is in use gets the set without it. So the search and the filters
run once, or once more per filter in use, never once per facet."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import Tag, TaggedItem

from counties.models import County, State

from .enums import PublicationState
from .filters import COST_BOUNDS, STAFF_BOUNDS, START_BOUNDS, TRIED_BOUNDS
from .models import BestPracticeProfile, FieldOfAction, Funding, Programme, TargetGroup

NOT_FILTERS = {"sortierung"}
PUBLISHED = PublicationState.PUBLISHED.value  # a constant of the code, written into SQL
BEST_PRACTICE = "praxisbeispiel"
TOTAL = "_total"


def _tables():
    return {
        "programme": Programme._meta.db_table,
        "fields": Programme.fields_of_action.through._meta.db_table,
        "field": FieldOfAction._meta.db_table,
        "groups": Programme.target_groups.through._meta.db_table,
        "group": TargetGroup._meta.db_table,
        "county": County._meta.db_table,
        "state": State._meta.db_table,
        "funding": Funding._meta.db_table,
        "items": TaggedItem._meta.db_table,
        "tag": Tag._meta.db_table,
        "profile": BestPracticeProfile._meta.db_table,
    }


# Per facet: what is counted, from the matching programmes in "{m}" (id, county_id and
# status, each programme once). Link tables hold
# each pair once, so COUNT(*) is exact there; a programme may have two fundings of a level.
# Table names come from the models.
FACETS = {
    "handlungsfeld": "SELECT x.address, COUNT(*) FROM {m} m "
    "JOIN {fields} t ON t.programme_id = m.id JOIN {field} x ON x.id = t.fieldofaction_id "
    "GROUP BY x.address",
    "zielgruppe": "SELECT x.address, COUNT(*) FROM {m} m "
    "JOIN {groups} t ON t.programme_id = m.id JOIN {group} x ON x.id = t.targetgroup_id "
    "GROUP BY x.address",
    "land": "SELECT s.slug, COUNT(*) FROM {m} m "
    "JOIN {county} c ON c.id = m.county_id JOIN {state} s ON s.id = c.state_id GROUP BY s.slug",
    "kreis": "SELECT c.slug, COUNT(*) FROM {m} m JOIN {county} c ON c.id = m.county_id "
    "GROUP BY c.slug",
    "kategorie": "SELECT c.category, COUNT(*) FROM {m} m JOIN {county} c ON c.id = m.county_id "
    "GROUP BY c.category",
    "status": "SELECT m.status, COUNT(*) FROM {m} m GROUP BY m.status",
    "foerderung": "SELECT f.level, COUNT(DISTINCT m.id) FROM {m} m "
    "JOIN {funding} f ON f.programme_id = m.id GROUP BY f.level",
    "schlagwort": "SELECT x.slug, COUNT(*) FROM {m} m "
    "JOIN {items} t ON t.object_id = m.id AND t.content_type_id = {content_type} "
    "JOIN {tag} x ON x.id = t.tag_id GROUP BY x.slug",
    BEST_PRACTICE: "SELECT 'on', COUNT(*) FROM {m} m "
    "JOIN {profile} b ON b.programme_id = m.id AND b.is_recognised = {true} "
    "GROUP BY b.is_recognised",
}


def _bounds(bounds):
    """The bounds of a filter as a table of (sent value, number) rows, written inline: they
    are constants of programmes.filters, never input."""
    return " UNION ALL ".join(f"SELECT '{sent}' AS t, {bound} AS n" for sent, bound, _ in bounds)


def _card_facet(column, operator, bounds):
    return (
        "SELECT v.t, COUNT(*) FROM {m} m "
        "JOIN {profile} b ON b.programme_id = m.id AND b.is_recognised = {true} "
        f"CROSS JOIN ({_bounds(bounds)}) v WHERE b.{column} {operator} v.n GROUP BY v.t"
    )


FACETS.update(
    {
        "stellen": _card_facet("staff_fte", "<=", STAFF_BOUNDS),
        "kosten": _card_facet("running_cost", "<", COST_BOUNDS),
        "startklar": _card_facet("months_to_start", "<=", START_BOUNDS),
        # Run by a county under the bound, or taken over and published by one.
        "erprobt": "SELECT v.t, COUNT(*) FROM {m} m JOIN {county} c ON c.id = m.county_id "
        f"CROSS JOIN ({_bounds(TRIED_BOUNDS)}) v WHERE c.population < v.n OR EXISTS ("
        "SELECT 1 FROM {programme} a JOIN {county} ac ON ac.id = a.county_id "
        f"WHERE a.adapted_from_id = m.id AND a.publication_state = '{PUBLISHED}' "
        "AND ac.population < v.n) GROUP BY v.t",
    }
)


def _active(filterset):
    cleaned = getattr(filterset.form, "cleaned_data", {})
    return {
        name: value
        for name, value in cleaned.items()
        if name not in NOT_FILTERS and value not in (None, "", [], False)
    }


def _matching(filterset, active, skip):
    """The ids the list would show with every applied filter but `skip`."""
    queryset = filterset.queryset.all()
    for name, value in active.items():
        if name != skip:
            queryset = filterset.filters[name].filter(queryset, value)
    # County and status come along: their facets then never read the wide programme rows.
    return queryset.order_by().values("pk", "county_id", "status").query.sql_with_params()


def facet_counts(filterset):
    """({facet: {value: count}}, number of matching programmes), in one query."""
    active = _active(filterset)
    sets = {None: "m_all", **{name: f"m_{name}" for name in FACETS if name in active}}
    ctes, params = [], []
    for skip, alias in sets.items():
        sql, cte_params = _matching(filterset, active, skip)
        ctes.append(f"{alias}(id, county_id, status) AS ({sql})")
        params.extend(cte_params)
    tables = {
        **_tables(),
        "content_type": ContentType.objects.get_for_model(Programme).pk,
        "true": "TRUE" if connection.vendor == "postgresql" else "1",
    }
    parts = [
        template.replace("SELECT ", f"SELECT '{name}', ", 1).format(
            m=sets.get(name, "m_all"), **tables
        )
        for name, template in FACETS.items()
    ]
    parts.append(f"SELECT '{TOTAL}', NULL, COUNT(*) FROM m_all")
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    counts, total = {name: {} for name in FACETS}, 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, value, number in cursor.fetchall():
            if name == TOTAL:
                total = number
            elif value is not None:
                counts[name][str(value)] = number
    return counts, total
