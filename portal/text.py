"""Helpers for text that staff write and the public reads."""

import re
import threading
import unicodedata
from collections import OrderedDict

import markdown
import nh3
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from .cache import lasting_values

# Headings are left out on purpose: the page owns its heading hierarchy.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Staff often start a list right under a sentence; Markdown needs a blank line there.
LIST_AFTER_TEXT = re.compile(
    r"^(?![ \t]*(?:[-*+]|\d+\.)[ \t])(.+)\n(?=[ \t]*(?:[-*+]|\d+\.)[ \t])", re.M
)
GERMAN_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


# What the HTML of a text depends on besides the text: a deployment that changes the rules
# (or the converter) never reads HTML converted under the old ones.
CONVERSION = repr(
    (markdown.__version__, nh3.__version__, sorted(ALLOWED_TAGS), sorted(ALLOWED_ATTRIBUTES["a"]))
)


# The same texts are shown again and again; converting one takes a millisecond or two. The
# result depends on the text alone: each process keeps the most recently shown ones, and all
# processes share what one of them converted (portal.cache.lasting_values).
RECENT_MAX = 1024
_recent = OrderedDict()  # text → HTML, the most recently shown last
_recent_lock = threading.Lock()


def render_markdown(text):
    """Markdown written by staff as sanitised HTML, safe to put on a public page."""
    return render_markdowns([text])[0]


def render_markdowns(texts):
    """The HTML of several texts (render_markdown), with a single round trip to the shared
    cache for those this process has not shown lately: a page converts its texts with this
    first, and its template's `markdown` filter then finds them here."""
    texts = [text or "" for text in texts]
    html = {}
    with _recent_lock:
        for text in texts:
            if text in _recent:
                _recent.move_to_end(text)
                html[text] = _recent[text]
    missing = {f"markdown:{CONVERSION}:{text}": text for text in texts if text not in html}
    if missing:
        shared = lasting_values(missing, lambda name: _converted(missing[name]))
        with _recent_lock:
            for name, text in missing.items():
                # nh3 removed everything unsafe (_converted).
                html[text] = _recent[text] = mark_safe(shared[name])  # noqa: S308
                if len(_recent) > RECENT_MAX:
                    _recent.popitem(last=False)
    return [html[text] for text in texts]


def forget_recent_markdown():
    """Empty this process's copies (for tests: as another process would start)."""
    with _recent_lock:
        _recent.clear()


def _converted(text):
    source = LIST_AFTER_TEXT.sub(r"\1\n\n", text)
    html = markdown.markdown(source, extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def german_sort_key(value):
    """Alphabetical order as in a German directory (DIN 5007-1): Ä with A, ß as ss."""
    folded = unicodedata.normalize("NFKD", (value or "").casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def german_slugify(value):
    """A URL slug that writes umlauts the German way (Lörrach -> loerrach)."""
    folded = (value or "").lower().translate(GERMAN_TRANSLITERATION)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return slugify(re.sub(r"[^\w\s-]", " ", folded))
