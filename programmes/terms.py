"""The terms linked to programmes on a page, read together.

A programme page shows its fields of action, target groups, kinds of partners and keywords,
the staff roles and required partners of its best-practice profile, and the fields of action
of each card below it. Prefetched one relation at a time, that is seven queries; `attach`
reads all the links in one statement of (relation, owner, term) rows. The controlled terms
themselves are a few dozen rows of each kind, kept per content version in each process and
read only where a page shows that kind.

What a template then reads through `programme.fields_of_action.all` and the like comes from
that statement, in the order the relation itself gives: controlled terms by position and
name, keywords in the order they were added. The lists are handed over the way Django's
own prefetching does (`_prefetched_objects_cache`); the page's query budget in the tests
fails should that ever stop working."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from taggit.models import Tag, TaggedItem

from portal.cache import cached_value

from .models import BestPracticeProfile, Programme

# Relations read for every programme given, for its profile, and for the cards only.
PROGRAMME_TERMS = ("fields_of_action", "target_groups", "partner_kinds")
PROFILE_TERMS = ("staff_roles", "required_partners")
CARD_TERMS = ("fields_of_action",)
KEYWORDS = "keywords"
# The keyword columns of the other rows, typed as those of the keywords' rows.
NO_TEXT, NO_NUMBER = "CAST(NULL AS VARCHAR(100))", "CAST(NULL AS INTEGER)"


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


def controlled_terms(model, request=None):
    """{pk: term} of one kind of controlled term, in the model's own order."""
    return cached_value(
        f"controlled-terms:{model._meta.label}",
        lambda: {term.pk: term for term in model.objects.all()},
        request=request,
        local=True,
    )


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
                f"SELECT '{name}', i.object_id, t.id, t.name, t.slug, i.id FROM {items} i "
                f"JOIN {tags} t ON t.id = i.tag_id "
                f"WHERE i.content_type_id = %s AND i.object_id IN ({marks})"
            )
            params += [ContentType.objects.get_for_model(model).pk, *ids]
        else:
            table, owner, term, _model = _link(model, name)
            parts.append(
                f"SELECT '{name}', {owner}, {term}, {NO_TEXT}, {NO_TEXT}, {NO_NUMBER} FROM {table} "
                f"WHERE {owner} IN ({marks})"
            )
            params += ids
    return " UNION ALL ".join(parts), params


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


def _profile(programme):
    try:
        return programme.best_practice
    except ObjectDoesNotExist:
        return None


def attach(programmes, cards=(), request=None):
    """Read the terms of `programmes` (all their relations) and of `cards` (what a card
    shows) in one statement and hand them to the objects."""
    programmes, cards = list(programmes), list(cards)
    profiles = [profile for profile in map(_profile, programmes) if profile is not None]
    owners = {}
    for name in PROGRAMME_TERMS:
        owners[(Programme, name)] = [programme.pk for programme in programmes]
    for name in CARD_TERMS:
        owners[(Programme, name)] += [card.pk for card in cards]
    owners[(Programme, KEYWORDS)] = [programme.pk for programme in programmes]
    for name in PROFILE_TERMS:
        owners[(BestPracticeProfile, name)] = [profile.pk for profile in profiles]
    owners = {key: sorted(set(ids)) for key, ids in owners.items()}
    sql, params = _statement(owners)
    found = {}
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for name, owner, term, *keyword in cursor.fetchall():
                found.setdefault((name, owner), []).append((term, keyword))
    kinds = {}  # term model → its terms, looked up once per call

    def give(model, instance, name):
        links = found.get((name, instance.pk), [])
        if name == KEYWORDS:
            items = [
                Tag(pk=term, name=tag_name, slug=slug)
                for term, (tag_name, slug, _order) in sorted(links, key=lambda link: link[1][2])
            ]
        else:
            linked = {term for term, _keyword in links}
            kind = model._meta.get_field(name).related_model
            if kind not in kinds:
                kinds[kind] = controlled_terms(kind, request)
            known = kinds[kind]
            items = [term for pk, term in known.items() if pk in linked]
        hand_over(instance, name, items)

    for programme in programmes:
        for name in (*PROGRAMME_TERMS, KEYWORDS):
            give(Programme, programme, name)
    for card in cards:
        for name in CARD_TERMS:
            give(Programme, card, name)
    for profile in profiles:
        for name in PROFILE_TERMS:
            give(BestPracticeProfile, profile, name)
