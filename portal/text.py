"""Helpers for text that staff write and the public reads."""

import functools
import re
import unicodedata

import markdown
import nh3
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# Headings are left out on purpose: the page owns its heading hierarchy.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Staff often start a list right under a sentence; Markdown needs a blank line there.
LIST_AFTER_TEXT = re.compile(
    r"^(?![ \t]*(?:[-*+]|\d+\.)[ \t])(.+)\n(?=[ \t]*(?:[-*+]|\d+\.)[ \t])", re.M
)
GERMAN_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


# The same texts are shown again and again; converting one takes milliseconds. The result
# depends on the text alone, so each process keeps the most recent ones.
@functools.lru_cache(maxsize=1024)
def render_markdown(text):
    """Markdown written by staff as sanitised HTML, safe to put on a public page."""
    source = LIST_AFTER_TEXT.sub(r"\1\n\n", text or "")
    html = markdown.markdown(source, extensions=["sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just removed everything unsafe


def german_sort_key(value):
    """Alphabetical order as in a German directory (DIN 5007-1): Ä with A, ß as ss."""
    folded = unicodedata.normalize("NFKD", (value or "").casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def german_slugify(value):
    """A URL slug that writes umlauts the German way (Lörrach -> loerrach)."""
    folded = (value or "").lower().translate(GERMAN_TRANSLITERATION)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return slugify(re.sub(r"[^\w\s-]", " ", folded))
