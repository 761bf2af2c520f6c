"""Full-text search, one interface for both databases.

The words are analysed in Python (programmes.analysis: stems, umlaut spellings, compound
parts), so the index holds tokens, not text: on PostgreSQL a weighted tsvector of the
'simple' configuration, on SQLite an FTS5 table. A query becomes one group per meaningful
word (its stem as a prefix, or all parts of a compound, or a synonym); every programme that
matches any group is found, and those that match the most groups come first, then by rank.

The stored documents are rewritten whenever a programme, its profile, keywords, fields of
action or county change (signals in programmes.search_signals); on PostgreSQL, triggers on
their table count the published programmes holding each word (models.SearchLexeme)."""

import math
import re
import threading
from collections import Counter, OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import analysis
from .analysis import AllOf, AnyOf, Term

TERM_MIN_LENGTH = 4  # shorter words are neither corrected nor offered as corrections
SQLITE_TABLE = "programmes_search"
SYNONYMS_CACHE_KEY = "search:synonyms"
MAX_TERMS = 60  # the most tokens one query may ask the index for


def is_postgresql():
    return connection.vendor == "postgresql"


def document(programme):
    """The text of a programme by weight: A title; B summary, keywords, fields of action,
    target groups, county and Land; C the body and the best-practice profile, once the
    editors recognised it (before that the public cannot read it, so it must not be found)."""
    profile = getattr(programme, "best_practice", None)
    profile_text = []
    if profile is not None and profile.is_recognised:
        profile_text = [
            profile.starting_situation,
            profile.approach,
            profile.results,
            profile.success_factors,
            profile.obstacles,
        ]
    county = programme.county
    return {
        "A": programme.title,
        "B": " ".join(
            [
                programme.summary,
                " ".join(tag.name for tag in programme.keywords.all()),
                " ".join(field.name for field in programme.fields_of_action.all()),
                " ".join(group.name for group in programme.target_groups.all()),
                county.name,
                county.official_kind,
                county.state.name,
            ]
        ),
        "C": " ".join(
            [programme.description, programme.goals, programme.partner_names, *profile_text]
        ),
    }


def vocabulary(text):
    """The words of `text` that a mistyped word may be corrected to, in lower case."""
    return {
        word.lower()[:80]
        for word in analysis.words(text)
        if len(word) >= TERM_MIN_LENGTH
        and not word.isdigit()
        and word.lower() not in analysis.STOP_WORDS
    }


# One statement per batch of programmes, not one per programme. Whether a programme is
# published, and when, are read from its row in the same statement.
POSTGRES_UPDATE = """
    INSERT INTO programmes_searchdocument
        (programme_id, published, published_at, search_vector, rank_vector)
    SELECT p.id, p.publication_state = 'published', p.published_at,
        setweight(to_tsvector('simple', v.a), 'A') ||
        setweight(to_tsvector('simple', v.b), 'B') ||
        setweight(to_tsvector('simple', v.c), 'C'),
        setweight(to_tsvector('simple', v.a), 'A') ||
        setweight(to_tsvector('simple', v.b), 'B')
    FROM (VALUES {rows}) AS v(a, b, c, id)
    JOIN programmes_programme AS p ON p.id = v.id::bigint
    ON CONFLICT (programme_id) DO UPDATE SET search_vector = EXCLUDED.search_vector,
        rank_vector = EXCLUDED.rank_vector, published = EXCLUDED.published,
        published_at = EXCLUDED.published_at
"""
UPDATE_BATCH = 200

_deferred = threading.local()


@contextmanager
def deferred_updates():
    """Collect the programmes whose search document is due and rewrite them once at the
    end, instead of after every save (a spreadsheet import saves each row several times)."""
    outer = getattr(_deferred, "ids", None)
    _deferred.ids = set() if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            ids, _deferred.ids = _deferred.ids, None
            update_search_vectors(ids)


def update_search_vectors(programme_ids):
    """Rewrite the stored search document and the correction vocabulary of these
    programmes. Only published programmes contribute words to the vocabulary."""
    if not programme_ids:
        return
    if getattr(_deferred, "ids", None) is not None:
        _deferred.ids.update(programme_ids)
        return
    from .models import Programme, SearchTerm

    programme_ids = list(programme_ids)
    programmes = (
        Programme.objects.filter(pk__in=programme_ids)
        .select_related("county__state", "best_practice")
        .prefetch_related("fields_of_action", "target_groups", "keywords")
    )
    rows, terms = [], []
    for programme in programmes:
        parts = document(programme)
        rows.append([analysis.index_text(parts[weight]) for weight in "ABC"] + [programme.pk])
        if programme.is_published:
            words = vocabulary(f"{parts['A']} {parts['B']}")
            terms += [SearchTerm(programme=programme, term=word) for word in sorted(words)]
    with connection.cursor() as cursor:
        if is_postgresql():
            for start in range(0, len(rows), UPDATE_BATCH):
                batch = rows[start : start + UPDATE_BATCH]
                sql = POSTGRES_UPDATE.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(batch)))
                cursor.execute(sql, [value for row in batch for value in row])
        else:
            for start in range(0, len(programme_ids), UPDATE_BATCH):
                batch = programme_ids[start : start + UPDATE_BATCH]
                cursor.execute(
                    f"DELETE FROM {SQLITE_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(batch))})",
                    batch,
                )
            cursor.executemany(
                f"INSERT INTO {SQLITE_TABLE} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",
                [[row[3], row[0], row[1], row[2]] for row in rows],
            )
    SearchTerm.objects.filter(programme_id__in=programme_ids).delete()
    SearchTerm.objects.bulk_create(terms, ignore_conflicts=True)


# --- Queries -------------------------------------------------------------------------------


@dataclass
class Group:
    """One thing the person asked for: a word, or the words a synonym stands for."""

    words: list  # as typed
    node: object
    correctable: bool = False
    frequency: int | None = None  # matching programmes, when counted

    @property
    def weight(self):
        """Rarer words tell more about what is wanted."""
        return 1.0 if self.frequency is None else 1 / math.log2(2 + self.frequency)


@dataclass
class Plan:
    text: str
    groups: list = field(default_factory=list)
    synonyms: list = field(default_factory=list)  # (typed, synonym) pairs applied
    matches: str | None = None  # the query for the listed programmes (choose_matches)
    all_required: bool = False
    required: list = field(default_factory=list)  # the groups `matches` requires
    # Every published programme `matches` finds, where they are few (choose_matches).
    match_ids: list | None = None
    # The matches of a query of one correctable group, as first_ranked gives them: found
    # while counting (count_groups) for the public list, read once by first_ranked.
    ranked: tuple | None = None

    def __getstate__(self):
        """A kept plan (Found) holds no ids: those are kept once, by Found itself."""
        state = self.__dict__.copy()
        state["ranked"] = state["match_ids"] = None
        return state

    @property
    def terms(self):
        found = []
        for group in self.groups:
            found.extend(_terms(group.node))
        return found


def _terms(node):
    if isinstance(node, Term):
        return [node]
    return [term for item in node.items for term in _terms(item)]


def synonym_pairs(version=None):
    """[(key sequence, the other side's text)], both directions, longest first; cached per
    content version, which every change of the list raises."""
    from portal.cache import content_version

    key = f"{SYNONYMS_CACHE_KEY}:{content_version() if version is None else version}"
    pairs = cache.get(key)
    if pairs is None:
        from .models import SearchSynonym

        pairs = []
        for term, same in SearchSynonym.objects.values_list("term", "synonym"):
            for one, other in ((term, same), (same, term)):
                keys = tuple(word.key for word in analysis.query_words(one))
                if keys:
                    pairs.append((keys, other))
        pairs.sort(key=lambda pair: -len(pair[0]))
        cache.set(key, pairs, 24 * 60 * 60)
    return pairs


def _expression(text):
    """All words of an expression required (a synonym's long form); None for one of stop
    words only, which an editor may have entered."""
    nodes = [analysis.word_node(word.text) for word in analysis.query_words(text)]
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))


def _synonyms_at(keys, position, pairs):
    """The longest run of words from `position` that has synonyms, and all of them."""
    for pair_keys, _other in pairs:  # longest first
        if tuple(keys[position : position + len(pair_keys)]) == pair_keys:
            others = [other for candidate, other in pairs if candidate == pair_keys]
            return len(pair_keys), list(dict.fromkeys(others))
    return 0, []


def plan(text, version=None):
    """The groups of a query, with synonyms applied to the longest matching run of words;
    `version`, the content version if known, saves reading it again."""
    words = analysis.query_words(text)
    keys = [word.key for word in words]
    result = Plan(text)
    pairs = synonym_pairs(version) if words else []
    position = 0
    while position < len(words):
        length, others = _synonyms_at(keys, position, pairs)
        if others:
            typed = " ".join(word.text for word in words[position : position + length])
            alternatives = [_expression(typed), *(_expression(other) for other in others)]
            alternatives = [node for node in alternatives if node is not None]
            result.groups.append(Group(typed.split(), AnyOf(tuple(alternatives))))
            result.synonyms.extend((typed, other) for other in others)
            position += length
            continue
        word = words[position]
        result.groups.append(
            Group(
                [word.text],
                analysis.word_node(word.text),
                correctable=len(word.text) >= TERM_MIN_LENGTH and not word.text.isdigit(),
            )
        )
        position += 1
    # Bound the work one query can cause: a thousand words ask for the first few only.
    count, kept = 0, []
    for group in result.groups:
        count += len(_terms(group.node))
        if count > MAX_TERMS:
            break
        kept.append(group)
    result.groups = kept
    return result


def _tsquery(node):
    if isinstance(node, Term):
        return f"{node.token}:*" if node.prefix else node.token
    joiner = " & " if isinstance(node, AllOf) else " | "
    return "(" + joiner.join(_tsquery(item) for item in node.items) + ")"


def _fts(node):
    if isinstance(node, Term):
        return f'"{node.token}"' + ("*" if node.prefix else "")
    joiner = " AND " if isinstance(node, AllOf) else " OR "
    return "(" + joiner.join(_fts(item) for item in node.items) + ")"


# How a query is asked for, per database (both classes have render, OR, AND, match, matched
# and rank). match, matched and rank refer to the programme table by its name: they run in a
# queryset's own query (search()); on PostgreSQL capped, among, matched_here and ranked read
# the documents' table alone, for all published programmes (ranked_ids, choose_matches).


class PostgresBackend:
    render = staticmethod(_tsquery)
    OR, AND = " | ", " & "
    DOCUMENTS = "programmes_searchdocument"  # models.SearchDocument
    # The matches come from a bitmap scan of the GIN index (index_scans() keeps the planner
    # from reading every document instead).
    MATCHES = (
        f"programmes_programme.id IN (SELECT d.programme_id FROM {DOCUMENTS} d "
        "WHERE d.search_vector @@ to_tsquery('simple', %s))"
    )
    # Whether a listed programme matches one group of the query: the ids from the index, a
    # hashed subplan, instead of reading each listed programme's document.
    MATCHING_IDS = (
        "{column} IN (SELECT s.programme_id FROM " + DOCUMENTS + " s "
        "WHERE s.search_vector @@ to_tsquery('simple', %s))"
    )
    # Title, summary, keywords, fields, groups, county: the long texts decide what matches,
    # but reading them for the rank of every match would cost too much.
    RANK = "ts_rank({table}.rank_vector, to_tsquery('simple', %s))"

    def match(self, query):
        return RawSQL(self.MATCHES, [query], output_field=BooleanField())

    def matched(self, query, column="programmes_programme.id"):
        return f"({self.MATCHING_IDS.format(column=column)})::int", [query]

    def rank(self, query):
        rank = self.RANK.format(table="d")
        return RawSQL(
            f"(SELECT {rank} FROM {self.DOCUMENTS} d "
            "WHERE d.programme_id = programmes_programme.id)",
            [query],
            output_field=FloatField(),
        )

    def capped(self, query, cap):
        """SQL and parameters of the ids of the matches among all published programmes, at
        most `cap`: from the documents' table alone."""
        return (
            f"SELECT d.programme_id FROM {self.DOCUMENTS} d WHERE d.published "
            f"AND d.search_vector @@ to_tsquery('simple', %s) LIMIT {int(cap)}",
            [query],
        )

    def among(self, ids, query):
        """SQL and parameters of those of these programmes' ids that match the query, each
        read by its id: a few are cheaper to read than the query's whole list in the index."""
        return (
            f"SELECT d.programme_id FROM {self.DOCUMENTS} d WHERE d.programme_id = ANY(%s) "
            "AND d.search_vector @@ to_tsquery('simple', %s)",
            [ids, query],
        )

    def matched_here(self, query):
        """Whether a match of ranked() matches the query too, from its own document: for
        a few matches cheaper than the index."""
        return "(d.search_vector @@ to_tsquery('simple', %s))::int", [query]

    def ranked(self, matches, match_ids, whole, score):
        """SQL and parameters of the ids of all published programmes that match, in the
        order of search() (`score` None where all score the same): from the documents' table
        alone, which holds their rank and date of publication too. Matches found already
        (`match_ids`, choose_matches) are read by their ids, not from the index again."""
        where, params = self._where(matches, match_ids)
        score_sql, score_params = score or ("", [])
        return (
            f"SELECT d.programme_id FROM {self.DOCUMENTS} d WHERE {where} "
            f"ORDER BY {score_sql + ' DESC, ' if score else ''}"
            f"{self.RANK.format(table='d')} DESC, d.published_at DESC NULLS LAST, "
            "d.programme_id",
            [*params, *score_params, whole],
        )

    def first_ranked(self, matches, match_ids, whole, score, first):
        """SQL and parameters of one row: the ids of the `first` matches in the order of
        ranked(), and the ids of every match, unordered. Each match is read and ranked once;
        only the first are sorted, which for tens of thousands of matches saves most of the
        work of ranking them all."""
        where, params = self._where(matches, match_ids)
        score_sql, score_params = score or ("0", [])
        return (
            "WITH m AS MATERIALIZED ("
            f"SELECT d.programme_id AS id, {score_sql} AS score, "
            f"{self.RANK.format(table='d')} AS rank, d.published_at AS at "
            f"FROM {self.DOCUMENTS} d WHERE {where}) "
            "SELECT ARRAY(SELECT id FROM m "
            f"ORDER BY score DESC, rank DESC, at DESC NULLS LAST, id LIMIT {int(first)}), "
            "ARRAY(SELECT id FROM m)",
            [*score_params, whole, *params],
        )

    @staticmethod
    def _where(matches, match_ids):
        if match_ids is not None:
            return "d.published AND d.programme_id = ANY(%s)", [match_ids]
        return "d.published AND d.search_vector @@ to_tsquery('simple', %s)", [matches]


class SqliteBackend:
    render = staticmethod(_fts)
    OR, AND = " OR ", " AND "

    def match(self, query):
        return RawSQL(
            f"programmes_programme.id IN (SELECT rowid FROM {SQLITE_TABLE} "
            f"WHERE {SQLITE_TABLE} MATCH %s)",
            [query],
            output_field=BooleanField(),
        )

    def matched(self, query, column="programmes_programme.id"):
        return (
            f"EXISTS (SELECT 1 FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s "
            f"AND rowid = {column})",
            [query],
        )

    def rank(self, query):
        return RawSQL(
            f"(SELECT -bm25({SQLITE_TABLE}, 10.0, 4.0, 1.0) FROM {SQLITE_TABLE} "
            f"WHERE {SQLITE_TABLE} MATCH %s AND rowid = programmes_programme.id)",
            [query],
            output_field=FloatField(),
        )

    # SQLite searches all published programmes as any queryset (search()).
    capped = ranked = first_ranked = matched_here = among = None


def backend():
    return PostgresBackend() if is_postgresql() else SqliteBackend()


def _either(engine, queries):
    return engine.OR.join(f"({query})" for query in queries)


def _both(engine, queries):
    return engine.AND.join(f"({query})" for query in queries)


def _published():
    from .models import Programme

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
    whole = _either(engine, rendered)
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
                sql, group_params = engine.matched(_both(engine, [query, matches]), column)
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
            query_plan.matches = _both(engine, queries[:size])
            query_plan.all_required = size == len(queries)
            query_plan.required = ordered[:size]
            query_plan.match_ids = matching.ids(size)
            return
    rare = [
        query
        for group, query in zip(ordered, queries, strict=True)
        if group.frequency is not None and group.frequency < FREQUENCY_CAP
    ]
    query_plan.matches = _either(engine, rare or queries)


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
                expression = _both(self.engine, self.queries[:size])
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
            expression = _both(self.engine, self.queries[:size])
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


LEXEMES = "programmes_searchlexeme"  # models.SearchLexeme
# The lock that the triggers keeping the words' numbers take (migrations/_word_counts.py).
COUNTS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('programmes word counts'))"


def recount_words():
    """Count the words of the index and of the vocabulary anew (PostgreSQL), as the
    migrations did first: after a change the triggers did not see (with them disabled),
    and leaving out the words no programme holds any more."""
    if not is_postgresql():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COUNTS_LOCK)
        cursor.execute(f"DELETE FROM {LEXEMES}")
        cursor.execute(
            f"INSERT INTO {LEXEMES} (lexeme, documents) SELECT word, ndoc FROM ts_stat("
            f"'SELECT search_vector FROM {PostgresBackend.DOCUMENTS} WHERE published')"
        )
        cursor.execute("DELETE FROM programmes_searchword")
        cursor.execute(
            "INSERT INTO programmes_searchword (word, programmes) "
            "SELECT term, count(*) FROM programmes_searchterm GROUP BY term"
        )


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


def unmatched_groups(query_plan):
    """The groups of mistyped-looking words that matched nothing (after count_groups)."""
    return [g for g in query_plan.groups if g.correctable and g.frequency == 0]


def correct_word(word):
    """The most similar word of the published programmes' vocabulary, or None."""
    from .models import SearchTerm, SearchWord

    lowered = word.lower()
    if is_postgresql():
        from django.contrib.postgres.search import TrigramSimilarity

        # Each word once (SearchWord), not once per programme that uses it.
        return (
            SearchWord.objects.filter(programmes__gt=0, word__trigram_similar=lowered)
            .annotate(similarity=TrigramSimilarity("word", lowered))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
    from rapidfuzz import fuzz, process

    from portal.cache import content_version

    key = f"search:vocabulary:{content_version()}"
    terms = cache.get(key)
    if terms is None:
        terms = sorted(set(SearchTerm.objects.values_list("term", flat=True)))
        cache.set(key, terms, 3600)
    best = process.extractOne(lowered, terms, scorer=fuzz.ratio, score_cutoff=75)
    return best[0] if best else None


def corrected_text(text, groups):
    """`text` with each of these mistyped words replaced by its correction, or None."""
    replacements = {}
    for group in groups:
        word = group.words[0]
        better = correct_word(word)
        if better and better != word.lower():
            replacements[word] = better
    if not replacements:
        return None
    # Word by word, punctuation and spacing as typed ("Kinderbetreung, Cham").
    return analysis.WORD.sub(lambda match: replacements.get(match.group(), match.group()), text)


@contextmanager
def index_scans():
    """Run the queries of a search with the planner told to prefer the indexes. It cannot see
    that matching a stored document means reading it from out of line, so for a common word
    it would read every document instead of taking the matches from the GIN index.
    A scan so discouraged looks costly enough to be compiled (JIT), which took 20-90 ms
    for every small table the page reads besides; and the tens of thousands of ids a common
    word ranks are sorted in memory, not on disk."""
    if not is_postgresql():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '16MB'")
        yield


# --- Searches kept in the process ------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """Every published programme a search finds: as a set (a bitmap, programmes.facets),
    and the ids in ranked order, of the first FIRST_RANKED where there are more
    (first_ranked); with the plan and the correction that found them."""

    text: str
    plan: Plan
    correction: tuple | None  # (as typed, searched instead)
    ids: object  # array of ids
    bitmap: object
    # The marked passages of the programmes shown so far (snippets), up to KEPT_PASSAGES.
    passages: dict = field(default_factory=dict)


# Searches answered by this process, of the newest content version only: another page,
# order or filter of the same search reads its ranked ids instead of ranking every match
# again. At most KEPT_SEARCHES searches and KEPT_IDS ids in all, in order or in a set (at
# most 4 bytes each), the least
# recently used going first; each keeps the passages of its first pages (KEPT_PASSAGES).
# So a process holds at most some 4 MB of ids and 500 plans with their passages (about
# 30 KB each), whatever words are sent.
KEPT_SEARCHES = 500
KEPT_IDS = 1_000_000


class KeptSearches:
    """(database, content version, text, as typed) → Found, least recently used first."""

    def __init__(self):
        self.found = OrderedDict()
        self.ids = 0  # held in all
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.found.get(key)
            if found is not None:
                self.found.move_to_end(key)
            return found

    def put(self, key, found):
        with self.lock:
            if self.found:
                database, version = next(iter(self.found))[:2]
                if database == key[0] and version > key[1]:
                    return  # a request that began before a change: its search is out of date
                if (database, version) != key[:2]:
                    self.clear()  # an older version's: never asked for again
            if key in self.found:
                self.ids -= _held(self.found.pop(key))
            self.found[key] = found
            self.ids += _held(found)
            while len(self.found) > 1 and (len(self.found) > KEPT_SEARCHES or self.ids > KEPT_IDS):
                _older, dropped = self.found.popitem(last=False)
                self.ids -= _held(dropped)

    def clear(self):
        self.found.clear()
        self.ids = 0


_kept = KeptSearches()


def _held(found):
    """The ids a kept search holds, in order and as a set."""
    return len(found.ids) + len(found.bitmap)


def shared_name(key):
    """The name of a kept search in the shared cache, which adds database and version."""
    _database, _version, text, as_typed = key
    return text_name(text, as_typed)


# Raised whenever what a kept search holds changes meaning (2: the ids in order are only
# the first ones), so that during a rolling update a server still running the older code
# never reads a kept search of the newer, nor the other way round.
KEPT_FORMAT = 2


def text_name(text, as_typed=False):
    """The name of a kept search of these words (shared_name)."""
    return f"search:{KEPT_FORMAT}:{int(as_typed)}:{text}"


def kept(key):
    """The Found of this search, if this process has it."""
    return _kept.get(key)


def keep(key, found):
    _kept.put(key, found)


def forget_kept():
    """For tests, whose databases each start a new count of versions, and for benchmarks
    of a single request."""
    with _kept.lock:
        _kept.clear()


# --- Snippets ------------------------------------------------------------------------------

SNIPPET_WORDS = 30


def _matches(word, terms):
    tokens = [analysis.stem(word)] + [analysis.stem(part) for part in analysis.parts(word)]
    for token in tokens:
        for term in terms:
            if token == term.token or (term.prefix and token.startswith(term.token)):
                return True
    return False


# German Snowball stems spell umlauts and ß this way: a stem is the start of its word or of a
# part of it, so spelled the same.
FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


@lru_cache(maxsize=200_000)
def _folded(word):
    """A word of a text as the stems spell it; the words of the texts repeat from page to
    page, so this is worked out once per word and process."""
    return analysis.plain(word).translate(FOLD)


def _matcher(terms):
    """Whether a word of a text is one the query asks for, worked out once per spelling (the
    words of a page's texts repeat). A word can only match a term whose token it contains,
    which rules out most words before they are stemmed and split."""
    if not terms:
        return lambda word: False
    known = {}
    # Whether a word contains any of the tokens, in one pass of a compiled pattern.
    contains = re.compile("|".join(re.escape(term.token) for term in terms)).search

    def matches(word):
        found = known.get(word)
        if found is None:
            found = known[word] = bool(
                contains(_folded(word))
                and word.lower() not in analysis.STOP_WORDS
                and _matches(word, terms)
            )
        return found

    return matches


def snippet(text, terms, matches=None):
    """The passage of `text` with the most distinct query words, with <mark>ed words, as
    safe HTML; None when no word of the text matches."""
    matches = matches or _matcher(terms)
    text = text or ""
    # Each distinct word is looked at once; the words as strings, matched ones by position.
    words = analysis.WORD.findall(text)
    wanted = {word for word in set(words) if matches(word)}
    if not wanted:
        return None
    hits = [index for index, word in enumerate(words) if word in wanted]
    # A window of SNIPPET_WORDS words slides from hit to hit, counting the distinct words in it.
    best_start, best_score = hits[0], -1
    in_window, end = Counter(), 0
    for begin, start in enumerate(hits):
        while end < len(hits) and hits[end] < start + SNIPPET_WORDS:
            in_window[words[hits[end]].lower()] += 1
            end += 1
        if len(in_window) > best_score:
            best_start, best_score = start, len(in_window)
        leaving = words[hits[begin]].lower()
        in_window[leaving] -= 1
        if not in_window[leaving]:
            del in_window[leaving]
    first = max(0, best_start - 5)
    last = min(len(words), first + SNIPPET_WORDS) - 1
    shown = list(islice(analysis.WORD.finditer(text), first, last + 1))
    pieces, position = [], shown[0].start()
    for match in shown:
        pieces.append(escape(text[position : match.start()]))
        word = escape(match.group())
        pieces.append(f"<mark>{word}</mark>" if match.group() in wanted else word)
        position = match.end()
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(words) - 1 else ""
    return mark_safe(prefix + "".join(pieces).strip() + suffix)  # noqa: S308


KEPT_PASSAGES = 60  # of one kept search: its first three pages


def snippets(programmes, query_plan, passages=None):
    """Highlighted passages for the programmes of one page: {pk: safe HTML}. `passages`
    holds those of the same search found before ({pk: passage or None}, from Found); the
    page's are added to it, up to KEPT_PASSAGES."""
    from .models import Programme

    kept = {} if passages is None else passages
    ids = [programme.pk for programme in programmes]
    terms = query_plan.terms
    if not ids or not terms:
        return {}
    found = {pk: kept[pk] for pk in ids if pk in kept}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        rows = Programme.objects.filter(pk__in=missing).values_list("pk", "summary", "description")
        matches = _matcher(terms)
        for pk, summary, description in rows:
            found[pk] = snippet(f"{summary}\n{description}", terms, matches)
            if len(kept) < KEPT_PASSAGES:
                kept[pk] = found[pk]
    return {pk: passage for pk, passage in found.items() if passage is not None}


# --- Places named in a query -------------------------------------------------------------

CITY_WORDS = frozenset({"stadt", "kreisfreie"})


def _place_keys(name):
    return tuple(
        analysis.stem(word.lower())
        for word in analysis.words(name)
        if word.lower() not in analysis.STOP_WORDS
    )


def all_places():
    from counties.models import County, State

    places = [
        ("land", slug, name, _place_keys(name), None)
        for slug, name in State.objects.values_list("slug", "name")
    ]
    for slug, name, category in County.objects.values_list("slug", "name", "category"):
        places.append(("kreis", slug, name, _place_keys(name.split(",")[0]), category))
    return places


def named_places(text, places):
    """The Länder and counties whose names occur in the query, as (filter, slug, name); a
    Landkreis and a city of the same name both, unless the query says which."""
    typed = [
        word.lower() for word in analysis.words(text) if word.lower() not in analysis.STOP_WORDS
    ]
    keys = [analysis.stem(word) for word in typed]
    wants_city = bool(CITY_WORDS.intersection(typed))
    wants_county = bool(analysis.PLACE_WORDS.intersection(typed) - CITY_WORDS)
    found = []
    for kind, slug, name, place_keys, category in places:
        if not place_keys:
            continue
        length = len(place_keys)
        if not any(tuple(keys[i : i + length]) == place_keys for i in range(len(keys))):
            continue
        said_which = kind == "kreis" and wants_city != wants_county
        if said_which and (category == "kreisfreie_stadt") != wants_city:
            continue
        found.append((kind, slug, name))
    return found[:3]
