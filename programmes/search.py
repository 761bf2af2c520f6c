"""Full-text search. PostgreSQL: German stemming, weights, prefix matching for compound words,
umlaut spellings (Foerderung = Förderung), typo suggestions and highlighted snippets. Other
databases (SQLite for a first start): case-insensitive word matching, see ProgrammeFilter.

The search document is stored per programme and rewritten whenever its programme, profile,
keywords, fields of action or county change (signals in programmes.apps): a generated column
could not read the county's name or the keywords, which live in other tables."""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "german"
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                      "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})  # fmt: skip
WORD = re.compile(r"[^\W_]+")
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters, never in real text
SUGGESTION_THRESHOLD = 0.3
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
    C the body and the best-practice profile."""
    profile = getattr(programme, "best_practice", None)
    profile_text = []
    if profile is not None:
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
                " ".join(programme.keywords.names()),
                " ".join(field.name for field in programme.fields_of_action.all()),
                programme.county.name,
            ]
        ),
        "C": " ".join(
            [programme.description, programme.goals, programme.partner_names, *profile_text]
        ),
    }


UPDATE_SQL = """
    UPDATE programmes_programme SET search_vector =
        setweight(to_tsvector('german', %s), 'A') ||
        setweight(to_tsvector('german', %s), 'B') ||
        setweight(to_tsvector('german', %s), 'C')
    WHERE id = %s
"""


def update_search_vectors(programme_ids):
    """Rewrite the stored search document of these programmes (PostgreSQL only)."""
    if not is_available() or not programme_ids:
        return
    from .models import Programme, SearchTerm

    programmes = (
        Programme.objects.filter(pk__in=list(programme_ids))
        .select_related("county", "best_practice")
        .prefetch_related("fields_of_action", "keywords")
    )
    rows, terms = [], set()
    for programme in programmes:
        parts = document(programme)
        rows.append([_with_folded(parts[w]) for w in "ABC"] + [programme.pk])
        terms.update(
            word.lower()
            for word in WORD.findall(f"{parts['A']} {parts['B']}")
            if len(word) >= TERM_MIN_LENGTH and not word.isdigit()
        )
    with connection.cursor() as cursor:
        cursor.executemany(UPDATE_SQL, rows)
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term[:80]) for term in terms], ignore_conflicts=True
    )


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
    """What a person typed, as a web search, in both spellings, and as word prefixes."""
    words = WORD.findall(text)
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    query |= SearchQuery(fold(text), search_type="websearch", config=CONFIG)
    if words:
        query |= SearchQuery(_prefix_query(words), search_type="raw", config=CONFIG)
        query |= SearchQuery(
            _prefix_query([fold(w) for w in words]), search_type="raw", config=CONFIG
        )
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
    return (
        queryset.filter(found)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at")
    )


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
    headline = SearchHeadline(
        Concat("summary", Value(" "), "description", output_field=TextField()),
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
    """ "Meinten Sie …?": each word replaced by the most similar known word, if any."""
    from .models import SearchTerm

    words = WORD.findall(text)[:6]
    suggested, changed = [], False
    for word in words:
        best = (
            SearchTerm.objects.annotate(similarity=TrigramSimilarity("term", word.lower()))
            .filter(similarity__gt=SUGGESTION_THRESHOLD)
            .order_by("-similarity", "term")
            .first()
        )
        if best is not None and best.term != word.lower():
            suggested.append(best.term)
            changed = True
        else:
            suggested.append(word)
    return " ".join(suggested) if changed else None
