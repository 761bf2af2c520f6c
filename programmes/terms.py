"""The terms and rows linked to programmes on a page, read together.

A programme page shows its fields of action, target groups, kinds of partners and keywords,
the staff roles and required partners of its best-practice profile, its fundings and
documents, whether a county took it over, and the fields of action of each card below it.
Prefetched one relation at a time, that is ten queries; `attach` reads them all in one
statement of (relation, owner, item, …) rows. The controlled terms
themselves are a few dozen rows of each kind, kept per content version in each process and
read only where a page shows that kind.

What a template then reads through `programme.fields_of_action.all` and the like comes from
that statement, in the order the relation itself gives: controlled terms by position and
name, keywords in the order they were added. The lists are handed over the way Django's
own prefetching does (`_prefetched_objects_cache`); the page's query budget in the tests
fails should that ever stop working."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import Tag, TaggedItem

from counties.models import County
from portal.cache import cached_value

from .enums import PublicationState
from .models import Attachment, BestPracticeProfile, FieldOfAction, Funding, Programme

# Relations read for every programme given, for its profile, and for the cards only.
PROGRAMME_TERMS = ("fields_of_action", "target_groups", "partner_kinds")
PROFILE_TERMS = ("staff_roles", "required_partners")
CARD_TERMS = ("fields_of_action",)
KEYWORDS = "keywords"
# Rows of their own that a programme's page lists, read in the same statement: its fundings
# and documents, and whether a county published a take-over of it.
FUNDINGS, ATTACHMENTS, ADOPTIONS = "fundings", "attachments", "adoptions"
# Each row: relation, owner, item, two texts, two numbers, an amount, and its position in the
# relation's order as the database sorts it; what a kind of row does not have is a NULL of
# the column's type.
NO_TEXT, NO_NUMBER = "CAST(NULL AS VARCHAR(100))", "CAST(NULL AS INTEGER)"
NO_AMOUNT = "CAST(NULL AS NUMERIC(12, 2))"


def _link(model, name):
    """The link table of a many-to-many relation: table, owner column, term column, term model."""
    field = model._meta.get_field(name)
    quote = connection.ops.quote_name
    return (
        quote(field.remote_field.through._meta.db_table),
        quote(field.m2m_column_name()),
        quote(field.m2m_reverse_name()),
        field.related_model,
    )


def controlled_terms(models, request=None):
    """{model: {pk: term}} for these kinds of controlled terms, each in the model's own
    order; one lookup of kept values (and a query per kind once per content version)."""
    models = sorted(set(models), key=lambda model: model._meta.label)
    return cached_value(
        "controlled-terms:" + ",".join(model._meta.label for model in models),
        lambda: {model: {term.pk: term for term in model.objects.all()} for model in models},
        request=request,
        local=True,
    )


def counted_fields(request=None):
    """The fields of action, each with its published programmes counted (`published_count`):
    a grouped count over every programme's links, so once per content version."""
    return cached_value(
        "fields-with-published-counts",
        lambda: list(FieldOfAction.objects.with_published_counts()),
        request=request,
        local=True,
    )


def counties(request=None):
    """{pk: county with its Land}: the 400 counties, kept per content version in each
    process like the terms, so that cards and programme pages need no join for them."""
    return cached_value(
        "counties-with-lands",
        lambda: County.objects.select_related("state").in_bulk(),
        request=request,
        local=True,
    )


def _give_counties(programmes, request):
    """Each programme its county with its Land, from the kept ones, unless it has both
    already (a county read on its own, without its Land, is replaced)."""
    field, land = Programme._meta.get_field("county"), County._meta.get_field("state")
    missing = [
        programme
        for programme in programmes
        if not (field.is_cached(programme) and land.is_cached(field.get_cached_value(programme)))
    ]
    known = counties(request) if missing else {}
    for programme in missing:
        county = known.get(programme.county_id)
        if county is not None:  # one made since the version was read is read on demand
            field.set_cached_value(programme, county)


def _statement(owners):
    """One UNION ALL over the link tables; `owners` maps (model, relation) to owner ids.
    Relation names and tables are constants of the models; ids are parameters."""
    parts, params = [], []
    for (model, name), ids in owners.items():
        if not ids:
            continue
        marks = ", ".join(["%s"] * len(ids))
        if name == KEYWORDS:
            quote = connection.ops.quote_name
            items, tags = quote(TaggedItem._meta.db_table), quote(Tag._meta.db_table)
            parts.append(
                f"SELECT '{name}', i.object_id, t.id, t.name, t.slug, {NO_NUMBER}, {NO_NUMBER}, "
                f"{NO_AMOUNT}, i.id FROM {items} i JOIN {tags} t ON t.id = i.tag_id "
                f"WHERE i.content_type_id = %s AND i.object_id IN ({marks})"
            )
            params += [ContentType.objects.get_for_model(model).pk, *ids]
        elif name in ROWS:
            select, row_params = ROWS[name]()
            parts.append(f"{select} IN ({marks})")
            params += [*row_params, *ids]
        else:
            table, owner, term, _model = _link(model, name)
            parts.append(
                f"SELECT '{name}', {owner}, {term}, {NO_TEXT}, {NO_TEXT}, {NO_NUMBER}, "
                f"{NO_NUMBER}, {NO_AMOUNT}, {NO_NUMBER} FROM {table} WHERE {owner} IN ({marks})"
            )
            params += ids
    return " UNION ALL ".join(parts), params


def _columns(model, *names):
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(model._meta.get_field(n).column) for n in names]


def _fundings():
    table, (owner, pk, level, name, start, end, amount) = _columns(
        Funding, "programme", "id", "level", "programme_name", "start_year", "end_year", "amount"
    )
    # The model's order (Funding.Meta.ordering), with the database's place for a missing year.
    return (
        f"SELECT '{FUNDINGS}', {owner}, {pk}, {level}, {name}, {start}, {end}, {amount}, "
        f"ROW_NUMBER() OVER (ORDER BY {start}, {pk}) FROM {table} WHERE {owner}",
        [],
    )


def _attachments():
    table, (owner, pk, title, file) = _columns(Attachment, "programme", "id", "title", "file")
    # By title, as the database's collation sorts (Attachment.Meta.ordering).
    return (
        f"SELECT '{ATTACHMENTS}', {owner}, {pk}, {title}, {file}, {NO_NUMBER}, {NO_NUMBER}, "
        f"{NO_AMOUNT}, ROW_NUMBER() OVER (ORDER BY {title}, {pk}) FROM {table} WHERE {owner}",
        [],
    )


def _adoptions():
    table, (source, pk, state) = _columns(Programme, "adapted_from", "id", "publication_state")
    return (
        f"SELECT '{ADOPTIONS}', {source}, {pk}, {NO_TEXT}, {NO_TEXT}, {NO_NUMBER}, {NO_NUMBER}, "
        f"{NO_AMOUNT}, {NO_NUMBER} FROM {table} WHERE {state} = %s AND {source}",
        [PublicationState.PUBLISHED],
    )


ROWS = {FUNDINGS: _fundings, ATTACHMENTS: _attachments, ADOPTIONS: _adoptions}


def hand_over(instance, name, items):
    """What Django's prefetching leaves behind: the relation's queryset, already evaluated
    (a many-to-many relation, or the reverse of a foreign key, which Django keys by the
    name of its cache)."""
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    queryset._result_cache = items
    queryset._prefetch_done = True
    key = getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name
    instance.__dict__.setdefault("_prefetched_objects_cache", {})
    instance._prefetched_objects_cache[key] = queryset


def _amount(value):
    """An amount as the ORM gives it (SQLite hands back a number, PostgreSQL a Decimal)."""
    return None if value is None else Decimal(str(value)).quantize(CENTS)


CENTS = Decimal("0.01")


def _in_order(found, name, owner):
    """The rows of one relation of one owner, by the position the database gave them."""
    return sorted(found.get((name, owner.pk), []), key=lambda row: row[1][-1])


def _rows(programme, found):
    """Fundings, documents and whether it was taken over, from the statement's rows."""
    fundings = [
        Funding(
            pk=pk,
            programme_id=programme.pk,
            level=level,
            programme_name=name,
            start_year=start,
            end_year=end,
            amount=_amount(amount),
        )
        for pk, (level, name, start, end, amount, _position) in _in_order(
            found, FUNDINGS, programme
        )
    ]
    attachments = [
        Attachment(pk=pk, programme=programme, title=title, file=file)
        for pk, (title, file, *_unused) in _in_order(found, ATTACHMENTS, programme)
    ]
    hand_over(programme, FUNDINGS, fundings)
    hand_over(programme, ATTACHMENTS, attachments)
    programme.has_adoptions = (ADOPTIONS, programme.pk) in found


def attach(programmes, cards=(), request=None):
    """Read the terms of `programmes` (all their relations, with their fundings, documents
    and whether they were taken over) and of `cards` (what a card shows) in one statement
    and hand them to the objects, with the counties of all of them."""
    programmes, cards = list(programmes), list(cards)
    _give_counties([*programmes, *cards], request)
    profiles = [programme.profile for programme in programmes if programme.profile is not None]
    owners = {}
    for name in (*PROGRAMME_TERMS, KEYWORDS, *ROWS):
        owners[(Programme, name)] = [programme.pk for programme in programmes]
    for name in CARD_TERMS:
        owners[(Programme, name)] += [card.pk for card in cards]
    for name in PROFILE_TERMS:
        owners[(BestPracticeProfile, name)] = [profile.pk for profile in profiles]
    owners = {key: sorted(set(ids)) for key, ids in owners.items()}
    sql, params = _statement(owners)
    found = {}
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for name, owner, term, *columns in cursor.fetchall():
                found.setdefault((name, owner), []).append((term, columns))
    kinds = controlled_terms(
        (
            model._meta.get_field(name).related_model
            for (model, name), ids in owners.items()
            if ids and name != KEYWORDS and name not in ROWS
        ),
        request,
    )

    def give(model, instance, name):
        links = found.get((name, instance.pk), [])
        if name == KEYWORDS:
            items = [
                Tag(pk=term, name=tag_name, slug=slug)
                for term, (tag_name, slug, *_unused) in _in_order(found, name, instance)
            ]
        else:
            linked = {term for term, _columns in links}
            known = kinds[model._meta.get_field(name).related_model]
            items = [term for pk, term in known.items() if pk in linked]
        hand_over(instance, name, items)

    for programme in programmes:
        for name in (*PROGRAMME_TERMS, KEYWORDS):
            give(Programme, programme, name)
        _rows(programme, found)
    for card in cards:
        for name in CARD_TERMS:
            give(Programme, card, name)
    for profile in profiles:
        for name in PROFILE_TERMS:
            give(BestPracticeProfile, profile, name)
