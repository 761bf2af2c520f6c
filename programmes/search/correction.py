"""Words that matched nothing, corrected to the nearest word of the published
programmes' vocabulary (trigram similarity on PostgreSQL, rapidfuzz's ratio on SQLite)."""

from django.core.cache import cache

from .. import analysis
from .index import is_postgresql


def unmatched_groups(query_plan):
    """The groups of mistyped-looking words that matched nothing (after count_groups)."""
    return [g for g in query_plan.groups if g.correctable and g.frequency == 0]


def correct_word(word):
    """The most similar word of the published programmes' vocabulary, or None."""
    from ..models import SearchTerm, SearchWord

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
