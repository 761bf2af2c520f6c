"""Which programmes match a plan and in which order: found by their ids
and scored in the database, the first pages ranked ahead, and how many programmes match
each group (which words are common enough to narrow a search by)."""

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Value
from django.db.models.expressions import RawSQL

from ..analysis import AnyOf, Term
from .index import LEXEMES
from .query import backend, both, either, plan


def _published():
    from ..models import Programme

    return Programme.objects.published()


def _ids(sql, params):
    """The programme ids a statement of the backend (capped, among, ranked) reads."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _capped_counts(queryset, engine, queries, cap):
    """How many programmes of `queryset` (None: all published) each query finds, counting
    up to `cap`; one statement for all of them."""
    parts, params = [], []
    for query in queries:
        if queryset is None and engine.capped:
            sql, query_params = engine.capped(query, cap)
        else:
            sql, query_params = (
                (_published() if queryset is None else queryset)
                .filter(engine.match(query))
                .order_by()
                .values("pk")[:cap]
                .query.sql_with_params()
            )
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS m)")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return cursor.fetchone()


def _queries(query_plan):
    """(engine, the groups' queries, the whole query, the query of the matches)."""
    engine = backend()
    rendered = [engine.render(group.node) for group in query_plan.groups]
    whole = either(engine, rendered)
    return engine, rendered, whole, query_plan.matches or whole


# Up to this many matches times groups to score, each match's own document is read for its
# score rather than the index (a few milliseconds instead of tens for a long query).
DIRECT_WORK = 500


def _score(query_plan, documents=False, ids=None):
    """SQL and parameters of a match's score, None where all matches score the same; of a
    programme, or with `documents` of a row of the documents' table (ranked_ids). Each
    matched group adds more than all weights together, plus its own weight; the lookups of
    a group are narrowed to the matches, so a common word costs little. A group the
    matches require is matched by all of them: its part is a constant."""
    engine, rendered, _whole, matches = _queries(query_plan)
    if len(rendered) < 2 or query_plan.all_required:
        return None
    base = len(rendered) + 1
    required = sum(base + group.weight for group in query_plan.required)
    scored = len(query_plan.groups) - len(query_plan.required)
    ids = query_plan.match_ids if ids is None else ids
    direct = documents and ids is not None and len(ids) * scored <= DIRECT_WORK
    column = "d.programme_id" if documents else "programmes_programme.id"
    terms, params = [f"{required:.6f}"], []
    for group, query in zip(query_plan.groups, rendered, strict=True):
        if group not in query_plan.required:
            if direct:
                sql, group_params = engine.matched_here(query)
            else:
                sql, group_params = engine.matched(both(engine, [query, matches]), column)
            terms.append(f"{base + group.weight:.6f} * {sql}")
            params.extend(group_params)
    return " + ".join(terms), params


def search(queryset, text, query_plan=None):
    """The programmes of `queryset` that match the query: all its words if at least
    ENOUGH programmes have them all, else most of them (see choose_matches), in order of
    the number of words matched, rarer words counting more, then of rank. An empty result
    for a query without meaningful words."""
    query_plan = query_plan or plan(text)
    if not query_plan.groups:
        # Not none(): the facet counts build SQL from this queryset.
        return queryset.filter(RawSQL("1 = 0", [], output_field=BooleanField()))
    engine, _rendered, whole, matches = _queries(query_plan)
    score = _score(query_plan)
    if score is None:
        score = Value(1.0, output_field=FloatField())
    else:
        score = RawSQL(*score, output_field=FloatField())
    return (
        queryset.filter(engine.match(matches))
        .annotate(score=score, rank=engine.rank(whole))
        .order_by("-score", "-rank", F("published_at").desc(nulls_last=True), "pk")
    )


# Up to this many matches are ranked by reading each by its id; more, from the index with
# all the others (reading 50,000 documents by their ids takes twice as long).
RANKED_BY_IDS = 10_000
FIRST_RANKED = 200  # the first ten pages of a search


def ranked_ids(query_plan, among=None):
    """The ids of every published programme that matches (of those `among` these ids, if
    given), in the order of search(); on PostgreSQL read from the search documents' own
    table alone, a tenth of the width of the programmes' rows that search() reads."""
    if not query_plan.groups:
        return []
    engine, _rendered, whole, matches = _queries(query_plan)
    if engine.ranked is None:  # SQLite: first_ranked gives every match in order, no rest
        ranked = search(_published(), query_plan.text, query_plan)
        return list(ranked.values_list("pk", flat=True))
    if among is not None and len(among) <= RANKED_BY_IDS:
        ids = sorted(among)
        return _ids(*engine.ranked(matches, ids, whole, _score(query_plan, True, ids)))
    score = _score(query_plan, documents=True)
    ranked = _ids(*engine.ranked(matches, _match_ids(query_plan), whole, score))
    return ranked if among is None else [pk for pk in ranked if pk in among]


def first_ranked(query_plan):
    """(the ids of the first FIRST_RANKED matches in the order of ranked_ids, the ids of
    every match unordered; None where the first are all of them). The list ranks the others
    when a page needs them (programmes.facets.InOrder): most searches are read on their
    first pages, or narrowed by filters to fewer matches."""
    if query_plan.ranked is not None:
        ranked, query_plan.ranked = query_plan.ranked, None
        return ranked
    if not query_plan.groups:
        return [], None
    engine, _rendered, whole, matches = _queries(query_plan)
    if engine.first_ranked is None:
        return ranked_ids(query_plan), None
    score = _score(query_plan, documents=True)
    sql, params = engine.first_ranked(matches, _match_ids(query_plan), whole, score, FIRST_RANKED)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        first, every = cursor.fetchone()
    return first, (None if len(first) == len(every) else every)


def _match_ids(query_plan):
    """The ids of the matches found while choosing them (choose_matches), read once: the
    plan is kept with what it found (Found), the ids are not."""
    match_ids, query_plan.match_ids = query_plan.match_ids, None
    return match_ids


# With this many programmes having all words of a query (or all of its rarest words),
# programmes with fewer of them are left out.
ENOUGH = 100
FEW = 1000  # matches up to this many are kept on the plan by their ids (Plan.match_ids)
ALL_BUT_ONE_FIRST = 4  # words of a query from which choose_matches begins with all but one


def choose_matches(queryset, query_plan):
    """Which programmes of `queryset` (None: all published) the list holds. Those with all
    of the query's words that match anything, if there are ENOUGH of them; else those with
    all of its rarer words, leaving out the commonest one after the other while fewer than
    ENOUGH have them all; else, on a small portal, those with any word, a word found in
    FREQUENCY_CAP programmes or more not bringing in programmes by itself when there are
    rarer ones. That bounds the work of a long query on a large portal: ranking every
    programme with one common word of ten would take seconds, and those with the rare
    words come first anyway."""
    found = [g for g in query_plan.groups if g.frequency is None or g.frequency > 0]
    if len(found) < 2:
        return
    engine = backend()
    ordered = sorted(found, key=lambda group: group.frequency or 0)  # rarest first, stable
    queries = [engine.render(group.node) for group in ordered]
    matching = _Matching(queryset, engine, queries)
    sizes = range(len(queries), 1, -1)
    # A long query's words are rarely all in enough programmes: those with all but the
    # commonest word first. Where they are few, whether they have that word as well is read
    # from them alone, not from the index with every word again; where they are not enough,
    # fewer still have every word.
    if (
        matching.by_ids
        and len(queries) >= ALL_BUT_ONE_FIRST
        and matching.count(len(queries) - 1) < ENOUGH
    ):
        sizes = range(len(queries) - 2, 1, -1)
    # The most words first; the first set of words that enough programmes have wins.
    for size in sizes:
        if matching.count(size) >= ENOUGH:
            query_plan.matches = both(engine, queries[:size])
            query_plan.all_required = size == len(queries)
            query_plan.required = ordered[:size]
            query_plan.match_ids = matching.ids(size)
            return
    rare = [
        query
        for group, query in zip(ordered, queries, strict=True)
        if group.frequency is not None and group.frequency < FREQUENCY_CAP
    ]
    query_plan.matches = either(engine, rare or queries)


class _Matching:
    """How many programmes of `queryset` (None: all published) have the first `size` of
    these queries (rarest first), each number read once. Of all published programmes the
    ids are read, up to max(FEW, ENOUGH): all of them, where fewer than FEW; the matches of
    one more query are then those of them that have it too."""

    def __init__(self, queryset, engine, queries):
        self.queryset, self.engine, self.queries = queryset, engine, queries
        self.by_ids = queryset is None and engine.capped is not None
        self._ids, self._counts = {}, {}

    def count(self, size):
        if size not in self._counts:
            if self.by_ids:
                self._counts[size] = len(self._read_ids(size))
            else:
                expression = both(self.engine, self.queries[:size])
                (self._counts[size],) = _capped_counts(
                    self.queryset, self.engine, [expression], ENOUGH
                )
        return self._counts[size]

    def ids(self, size):
        """All the ids with the first `size` queries, where they are fewer than FEW."""
        found = self._ids.get(size)
        return found if found is not None and len(found) < FEW else None

    def _read_ids(self, size):
        fewer = self.ids(size - 1)
        if fewer is not None:
            found = _ids(*self.engine.among(fewer, self.queries[size - 1]))
        else:
            expression = both(self.engine, self.queries[:size])
            found = _ids(*self.engine.capped(expression, max(FEW, ENOUGH)))
        self._ids[size] = found
        return found


FREQUENCY_CAP = 2000  # counting the matches of a group stops here


def count_groups(queryset, query_plan):
    """How many programmes of `queryset` (None: all published) each group matches (up to
    FREQUENCY_CAP), in one query; stored on the plan, where the ranking weighs rare words
    above common ones. A single group of the public list is ranked instead (Plan.ranked)."""
    if len(query_plan.groups) < 2 and not any(g.correctable for g in query_plan.groups):
        return
    engine = backend()
    # One group: only whether it matches at all matters (for the correction of a typo). Of
    # all published programmes, its matches in order tell, which the list reads next.
    if len(query_plan.groups) == 1 and queryset is None and engine.first_ranked:
        query_plan.ranked = first_ranked(query_plan)
        query_plan.groups[0].frequency = min(len(query_plan.ranked[0]), 1)
        return
    cap = FREQUENCY_CAP if len(query_plan.groups) > 1 else 1
    common = _common_groups(query_plan.groups) if queryset is None and engine.capped else set()
    for index in common:
        query_plan.groups[index].frequency = cap
    counted = [group for index, group in enumerate(query_plan.groups) if index not in common]
    if counted:
        queries = [engine.render(group.node) for group in counted]
        counts = _capped_counts(queryset, engine, queries, cap)
        for group, count in zip(counted, counts, strict=True):
            group.frequency = count


def _fewest_sql(node, params):
    """SQL of the fewest published programmes that match this node, by the words of the
    index it takes alone (SearchLexeme), or None where that says nothing: a term matches
    every programme holding its word, or any word it starts; of alternatives the one held
    most; all parts of a compound are needed, which no single word tells."""
    if isinstance(node, Term):
        # A token the parser would split or LIKE would read as a pattern is counted instead.
        if not node.token.isalnum() or node.token != node.token.lower():
            return None
        if node.prefix:
            params.append(node.token + "%")
            return f"(SELECT max(documents) FROM {LEXEMES} WHERE lexeme LIKE %s)"
        params.append(node.token)
        return f"(SELECT documents FROM {LEXEMES} WHERE lexeme = %s)"
    if isinstance(node, AnyOf):
        parts = [sql for item in node.items if (sql := _fewest_sql(item, params)) is not None]
        return f"GREATEST({', '.join(parts)})" if parts else None
    return None


def _common_groups(groups):
    """The indexes of the groups that match FREQUENCY_CAP published programmes or more by a
    word of the index alone: found in one look at the words' numbers, instead of reading
    each common word's list in the index up to the cap. A frequency so found is the one a
    count would give."""
    parts, params, indexes = [], [], []
    for index, group in enumerate(groups):
        sql = _fewest_sql(group.node, params)
        if sql is not None:
            parts.append(f"COALESCE({sql}, 0)")
            indexes.append(index)
    if not parts:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        fewest = cursor.fetchone()
    return {index for index, number in zip(indexes, fewest, strict=True) if number >= FREQUENCY_CAP}
