"""Searches kept per content version in this process: the plan, the correction and the ids
found, so that the next page of a search costs no search; and the names under which
programmes.filters shares them with the other processes through the cache."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from .query import Plan


@dataclass(frozen=True)
class Found:
    """Every published programme a search finds: as a set (a bitmap, programmes.facets),
    and the ids in ranked order, of the first FIRST_RANKED where there are more
    (first_ranked); with the plan and the correction that found them."""

    text: str
    plan: Plan
    correction: tuple | None  # (as typed, searched instead)
    ids: object  # array of ids
    bitmap: object
    # The marked passages of the programmes shown so far (snippets), up to KEPT_PASSAGES.
    passages: dict = field(default_factory=dict)


# Searches answered by this process, of the newest content version only: another page,
# order or filter of the same search reads its ranked ids instead of ranking every match
# again. At most KEPT_SEARCHES searches and KEPT_IDS ids in all, in order or in a set (at
# most 4 bytes each), the least
# recently used going first; each keeps the passages of its first pages (KEPT_PASSAGES).
# So a process holds at most some 4 MB of ids and 500 plans with their passages (about
# 30 KB each), whatever words are sent.
KEPT_SEARCHES = 500
KEPT_IDS = 1_000_000


class KeptSearches:
    """(database, content version, text, as typed) → Found, least recently used first."""

    def __init__(self):
        self.found = OrderedDict()
        self.ids = 0  # held in all
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.found.get(key)
            if found is not None:
                self.found.move_to_end(key)
            return found

    def put(self, key, found):
        with self.lock:
            if self.found:
                database, version = next(iter(self.found))[:2]
                if database == key[0] and version > key[1]:
                    return  # a request that began before a change: its search is out of date
                if (database, version) != key[:2]:
                    self.clear()  # an older version's: never asked for again
            if key in self.found:
                self.ids -= _held(self.found.pop(key))
            self.found[key] = found
            self.ids += _held(found)
            while len(self.found) > 1 and (len(self.found) > KEPT_SEARCHES or self.ids > KEPT_IDS):
                _older, dropped = self.found.popitem(last=False)
                self.ids -= _held(dropped)

    def clear(self):
        self.found.clear()
        self.ids = 0


_kept = KeptSearches()


def _held(found):
    """The ids a kept search holds, in order and as a set."""
    return len(found.ids) + len(found.bitmap)


def shared_name(key):
    """The name of a kept search in the shared cache, which adds database and version."""
    _database, _version, text, as_typed = key
    return text_name(text, as_typed)


# Raised whenever what a kept search holds changes meaning or place (2: the ids in order
# are only the first ones; 3: its classes moved into programmes.search's modules), so that
# during a rolling update a server still running the older code never reads a kept search
# of the newer, nor the other way round.
KEPT_FORMAT = 3


def text_name(text, as_typed=False):
    """The name of a kept search of these words (shared_name)."""
    return f"search:{KEPT_FORMAT}:{int(as_typed)}:{text}"


def kept(key):
    """The Found of this search, if this process has it."""
    return _kept.get(key)


def keep(key, found):
    _kept.put(key, found)


def forget_kept():
    """For tests, whose databases each start a new count of versions, and for benchmarks
    of a single request."""
    with _kept.lock:
        _kept.clear()
