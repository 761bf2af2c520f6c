"""The search index: the document each programme is stored as (weighted tokens), kept
current after every change, the numbers of programmes holding each word, and the planner
settings under which a search reads the index (index_scans)."""

import threading
from contextlib import contextmanager

from django.db import connection, transaction

from .. import analysis

TERM_MIN_LENGTH = 4  # shorter words are neither corrected nor offered as corrections
SQLITE_TABLE = "programmes_search"
DOCUMENTS_TABLE = "programmes_searchdocument"  # models.SearchDocument


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
    from ..models import Programme, SearchTerm

    programme_ids = list(programme_ids)
    programmes = (
        Programme.objects.filter(pk__in=programme_ids)
        .select_related("county__state", "best_practice")
        .prefetch_related("fields_of_action", "target_groups", "keywords")
    )
    rows, published, terms = [], set(), []
    for programme in programmes:
        parts = document(programme)
        rows.append([analysis.index_text(parts[weight]) for weight in "ABC"] + [programme.pk])
        if programme.is_published:
            published.add(programme.pk)
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
            # Only published programmes: the table's own statistics weigh the words (bm25),
            # and the order of the results must not tell of drafts.
            cursor.executemany(
                f"INSERT INTO {SQLITE_TABLE} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",
                [[row[3], row[0], row[1], row[2]] for row in rows if row[3] in published],
            )
    SearchTerm.objects.filter(programme_id__in=programme_ids).delete()
    SearchTerm.objects.bulk_create(terms, ignore_conflicts=True)


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
            f"'SELECT search_vector FROM {DOCUMENTS_TABLE} WHERE published')"
        )
        cursor.execute("DELETE FROM programmes_searchword")
        cursor.execute(
            "INSERT INTO programmes_searchword (word, programmes) "
            "SELECT term, count(*) FROM programmes_searchterm GROUP BY term"
        )


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
