"""A query as a plan of groups, one per meaningful word, and the SQL that matches a
group on PostgreSQL (tsquery) or SQLite (FTS5)."""

import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import BooleanField, FloatField
from django.db.models.expressions import RawSQL

from .. import analysis
from ..analysis import AllOf, AnyOf, Term
from .index import DOCUMENTS_TABLE, SQLITE_TABLE, TERM_MIN_LENGTH, is_postgresql

SYNONYMS_CACHE_KEY = "search:synonyms"
MAX_TERMS = 60  # the most tokens one query may ask the index for


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
        from ..models import SearchSynonym

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
        # Quoted, as a token with any character but a letter or digit would not be one word
        # (analysis.plain keeps none; this holds should that ever change).
        token = "'" + node.token.replace("\\", "\\\\").replace("'", "''") + "'"
        return f"{token}:*" if node.prefix else token
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
    DOCUMENTS = DOCUMENTS_TABLE
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


def either(engine, queries):
    return engine.OR.join(f"({query})" for query in queries)


def both(engine, queries):
    return engine.AND.join(f"({query})" for query in queries)
