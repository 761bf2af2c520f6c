"""Word-level differences between two versions of a text, for the history: what was
inserted and deleted is marked, long unchanged stretches are folded."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

TOKEN = re.compile(r"\s+|[^\s]+")
SHORT = 80  # values up to this length without a line break are shown whole, old → new
CONTEXT = 8  # words kept on each side of a change when the unchanged stretch is folded


def normalise_newlines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n") if isinstance(text, str) else text


def is_long(before, after):
    return any(len(value) > SHORT or "\n" in value for value in (before, after))


def _fold(tokens, *, at_start, at_end):
    """An unchanged stretch: whole if short, else its edges around an ellipsis."""
    words = [index for index, token in enumerate(tokens) if not token.isspace()]
    if len(words) <= 2 * CONTEXT + 2:
        return escape("".join(tokens))
    head = "" if at_start else "".join(tokens[: words[CONTEXT - 1] + 1])
    tail = "" if at_end else "".join(tokens[words[-CONTEXT] :])
    folded = _("[%(count)s unchanged words]") % {
        "count": len(words) - (0 if at_start else CONTEXT) - (0 if at_end else CONTEXT)
    }
    return f'{escape(head)} <span class="diff-fold">{escape(folded)}</span> {escape(tail)}'


def _hidden(text):
    return f'<span class="visually-hidden">{escape(text)} </span>'


def word_diff(before, after):
    """Safe HTML of the whole text with <del> and <ins> around the changed words."""
    old = TOKEN.findall(normalise_newlines(before) or "")
    new = TOKEN.findall(normalise_newlines(after) or "")
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts = []
    for position, (tag, a1, a2, b1, b2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(
                _fold(old[a1:a2], at_start=position == 0, at_end=position == len(opcodes) - 1)
            )
            continue
        # Said, not only coloured: screen readers do not announce <del> and <ins>.
        if a2 > a1:
            deleted = _hidden(_("deleted:")) + escape("".join(old[a1:a2]))
            parts.append(f"<del>{deleted}</del>")
        if b2 > b1:
            inserted = _hidden(_("inserted:")) + escape("".join(new[b1:b2]))
            parts.append(f"<ins>{inserted}</ins>")
    return mark_safe("".join(parts))  # every piece of text escaped above
