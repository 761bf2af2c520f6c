"""Full-text search, one interface for both databases.

The words are analysed in Python (programmes.analysis: stems, umlaut spellings, compound
parts), so the index holds tokens, not text: on PostgreSQL a weighted tsvector of the
'simple' configuration, on SQLite an FTS5 table. A query becomes one group per meaningful
word (its stem as a prefix, or all parts of a compound, or a synonym); every programme that
matches any group is found, and those that match the most groups come first, then by rank.

The stored documents are rewritten whenever a programme, its profile, keywords, fields of
action or county change (signals in programmes.search.signals); on PostgreSQL, triggers on
their table count the published programmes holding each word (models.SearchLexeme).

The package, one module per concern:
- index: the stored documents and the words' numbers, rewritten on change;
- query: a query's plan (its groups) and its SQL on either database;
- matching: which programmes match, in which order, and how many match each group;
- correction: mistyped words corrected from the vocabulary;
- kept_searches: searches kept per content version, ids and all;
- passages: the passages of the cards that show the words searched for;
- places: Länder and counties that a query names;
- signals: the stored documents rewritten when a programme or what it shows changes."""

from .correction import corrected_text, unmatched_groups
from .index import (
    SQLITE_TABLE,
    deferred_updates,
    index_scans,
    recount_words,
    update_search_vectors,
)
from .kept_searches import Found, forget_kept, keep, kept, shared_name, text_name
from .matching import choose_matches, count_groups, first_ranked, ranked_ids, search
from .passages import snippet, snippets
from .places import all_places, named_places
from .query import MAX_TERMS, Group, PostgresBackend, plan

__all__ = [
    "all_places",
    "choose_matches",
    "corrected_text",
    "count_groups",
    "deferred_updates",
    "first_ranked",
    "forget_kept",
    "Found",
    "Group",
    "index_scans",
    "keep",
    "kept",
    "MAX_TERMS",
    "named_places",
    "plan",
    "PostgresBackend",
    "ranked_ids",
    "recount_words",
    "search",
    "shared_name",
    "snippet",
    "snippets",
    "SQLITE_TABLE",
    "text_name",
    "unmatched_groups",
    "update_search_vectors",
]
