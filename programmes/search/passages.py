"""The passage of a card's text that holds the words searched for, marked."""

import re
from collections import Counter
from functools import lru_cache
from itertools import islice

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import analysis

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
    from ..models import Programme

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
