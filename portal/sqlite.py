"""SQLite compares LIKE case-insensitively for ASCII only, so "LÖRRACH" would not find
"Lörrach". The embedded database gets a LIKE that folds case for every letter, as
PostgreSQL's UPPER(...) LIKE UPPER(...) does; Django's icontains and friends use it."""

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _like_regex(pattern, escape):
    parts, chars = [], iter(pattern.casefold())
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def unicode_like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _like_regex(pattern, escape).fullmatch(str(value).casefold()) is not None


def install_unicode_like(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("like", 2, unicode_like, deterministic=True)
        raw.create_function("like", 3, unicode_like, deterministic=True)
