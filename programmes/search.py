"""Full-text search. PostgreSQL: German stemming, weights, prefix matching for compound words,
umlaut spellings (Foerderung = Förderung), typo suggestions and highlighted snippets. Other
databases (SQLite for a first start): case-insensitive word matching, see ProgrammeFilter.

The search document is stored per programme and rewritten whenever its programme, profile,
keywords, fields of action or county change (signals in programmes.apps): a generated column
could not read the county's name or the keywords, which live in other tables."""

import re
import threading
from contextlib import contextmanager

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat, Replace
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "german"
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                      "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})  # fmt: skip
WORD = re.compile(r"[^\W_]+")
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters, never in real text
TERM_MIN_LENGTH = 4


def is_available():
    return connection.vendor == "postgresql"


def fold(text):
    """The spelling without umlauts and ß that people type on foreign keyboards."""
    return (text or "").translate(FOLD)


def _with_folded(text):
    folded = fold(text)
    return text if folded == text else f"{text} {folded}"


def document(programme):
    """The text of a programme by weight: A title; B summary, keywords, fields, county;
    C the body and the best-practice profile, once the editors recognised it (before that
    the public cannot read it, so it must not be found either)."""
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
    return {
        "A": programme.title,
        "B": " ".join(
            [
                programme.summary,
                " ".join(tag.name for tag in programme.keywords.all()),
                " ".join(field.name for field in programme.fields_of_action.all()),
                programme.county.name,
            ]
        ),
        "C": " ".join(
            [programme.description, programme.goals, programme.partner_names, *profile_text]
        ),
    }


def vocabulary(text):
    """The words of `text` that "Meinten Sie …?" may suggest, in lower case."""
    return {
        word.lower()[:80]
        for word in WORD.findall(text or "")
        if len(word) >= TERM_MIN_LENGTH and not word.isdigit()
    }


# One statement per batch of programmes, not one per programme.
UPDATE_SQL = """
    UPDATE programmes_programme AS p SET search_vector =
        setweight(to_tsvector('german', v.a), 'A') ||
        setweight(to_tsvector('german', v.b), 'B') ||
        setweight(to_tsvector('german', v.c), 'C'),
    rank_vector =
        setweight(to_tsvector('german', v.a), 'A') ||
        setweight(to_tsvector('german', v.b), 'B')
    FROM (VALUES {rows}) AS v(a, b, c, id)
    WHERE p.id = v.id::bigint
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
    """Rewrite the stored search document (PostgreSQL) and the suggestion vocabulary of
    these programmes. Only published programmes contribute words to the vocabulary."""
    if not programme_ids:
        return
    if getattr(_deferred, "ids", None) is not None:
        _deferred.ids.update(programme_ids)
        return
    from .models import Programme, SearchTerm

    programmes = (
        Programme.objects.filter(pk__in=list(programme_ids))
        .select_related("county", "best_practice")
        .prefetch_related("fields_of_action", "keywords")
    )
    rows, terms = [], []
    for programme in programmes:
        parts = document(programme)
        rows.append([_with_folded(parts[w]) for w in "ABC"] + [programme.pk])
        if programme.is_published:
            words = vocabulary(f"{parts['A']} {parts['B']}")
            terms += [SearchTerm(programme=programme, term=word) for word in sorted(words)]
    if is_available():
        with connection.cursor() as cursor:
            for start in range(0, len(rows), UPDATE_BATCH):
                batch = rows[start : start + UPDATE_BATCH]
                sql = UPDATE_SQL.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(batch)))
                cursor.execute(sql, [value for row in batch for value in row])
    SearchTerm.objects.filter(programme_id__in=list(programme_ids)).delete()
    SearchTerm.objects.bulk_create(terms, ignore_conflicts=True)


# German stems are not always prefixes of each other (Sprachkurse -> "sprachkurs", but
# Sprachkurs -> "sprachkur"); a word without its inflection ending, as a prefix, finds both.
ENDINGS = ("ern", "en", "er", "es", "e", "n", "s")
STEM_MIN_LENGTH = 4


def _without_ending(word):
    for ending in ENDINGS:
        if word.lower().endswith(ending) and len(word) - len(ending) >= STEM_MIN_LENGTH:
            return word[: -len(ending)]
    return word


def _prefix_query(words):
    # Only letters and digits reach the raw tsquery: nothing a person types can break it.
    return " & ".join(f"{_without_ending(word)}:*" for word in words)


def build_query(text):
    """What a person typed, as a web search and as word prefixes, in both spellings where
    the folded one differs."""
    words = WORD.findall(text)
    spellings = [text] if fold(text) == text else [text, fold(text)]
    parts = [
        SearchQuery(spelling, search_type="websearch", config=CONFIG) for spelling in spellings
    ]
    if words:
        parts += [
            SearchQuery(_prefix_query(WORD.findall(spelling)), search_type="raw", config=CONFIG)
            for spelling in spellings
        ]
    query = parts[0]
    for part in parts[1:]:
        query |= part
    return query


def _inside_titles(words):
    """German compounds also hide words at their end ("Ausbildungslotsen" for "Lotsen"),
    which prefix matching cannot see; titles are searched for them as substrings."""
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word)
    return condition


def search(queryset, text):
    query = build_query(text)
    words = [word for word in WORD.findall(text) if len(word) >= TERM_MIN_LENGTH]
    found = Q(search_vector=query)
    if words:
        found |= _inside_titles(words)
    # Ranked by title, summary, keywords, fields and county (the rank vector): ranking by
    # the whole document would read and decompress the long texts of every match, which for
    # a common word is most of the portal. The long texts still decide what matches.
    return (
        queryset.filter(found)
        .annotate(rank=SearchRank(F("rank_vector"), query))
        .order_by("-rank", "-published_at")
    )


@contextmanager
def index_scans():
    """Run the queries of a search with the planner told to prefer the indexes. It cannot see
    that matching a stored document means decompressing it, so for a common word it would
    read and decompress every document instead of taking the matches from the GIN index."""
    if not is_available():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def has_lexemes(text):
    """False for a query of stop words or punctuation alone ("und der die")."""
    words = WORD.findall(text)
    if not words:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(to_tsquery('german', %s))", [" | ".join(words)])
        return cursor.fetchone()[0] > 0


def snippets(programmes, text):
    """Highlighted passages for the programmes of one page: {pk: safe HTML}."""
    from .models import Programme

    ids = [programme.pk for programme in programmes]
    if not ids:
        return {}
    text_only = Concat("summary", Value(" "), "description", output_field=TextField())
    for marker in (MARK_START, MARK_END):
        # Whoever writes the text must not be able to open or close a highlight.
        text_only = Replace(text_only, Value(marker), Value(""))
    headline = SearchHeadline(
        text_only,
        build_query(text),
        config=CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_END,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    rows = Programme.objects.filter(pk__in=ids).annotate(snippet=headline)
    return {row.pk: highlight(row.snippet) for row in rows.only("pk")}


def highlight(snippet):
    """Escape first, then add our own <mark>: the text stays text."""
    safe = escape(snippet or "")
    return mark_safe(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


def suggestion(text):
    """ "Meinten Sie …?": each word replaced by the most similar word of the published
    programmes, if any (pg_trgm's % operator, so the trigram index is used)."""
    from .models import SearchTerm

    words = WORD.findall(text)[:6]
    suggested, changed = [], False
    for word in words:
        best = (
            SearchTerm.objects.filter(term__trigram_similar=word.lower())
            .annotate(similarity=TrigramSimilarity("term", word.lower()))
            .order_by("-similarity", "term")
            .values_list("term", flat=True)
            .first()
        )
        if best is not None and best != word.lower():
            suggested.append(best)
            changed = True
        else:
            suggested.append(word)
    return " ".join(suggested) if changed else None
