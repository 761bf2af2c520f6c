"""Caching of public pages and of costly figures. This module owns every cache key.

Keys carry the content version, a number in the database that every change of public
content raises in the same transaction as the change (signals below). A cached answer of an
older version is never read again, so nothing is ever stale and nothing needs deleting; the
cache lets old entries expire. Reading the version is one primary-key lookup, which works
with a cache per process (development) as with Redis shared by several servers.

Only anonymous GET requests without a session are served from the cache; staff pages and
pages of a visitor's session (the Merkliste) never are."""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from contextlib import suppress
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response

from .models import ContentVersion

logger = logging.getLogger(__name__)
PAGE_TIMEOUT = 60 * 60
VALUE_TIMEOUT = 60 * 60
LASTING_TIMEOUT = 24 * 60 * 60
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Link", "ETag")
VERSION_ATTRIBUTE = "_content_version"
READ_METHODS = ["GET", "HEAD"]


# Rows of the version table: the content version, and the structure version, which grows only
# when what related and comparable programmes depend on changes (programmes.neighbours).
CONTENT, STRUCTURE = 1, 2
STRUCTURE_ATTRIBUTE = "_structure_version"


def _read_versions(request):
    # Read on every public request, cached or not: plain SQL, no query to compile.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, number FROM {ContentVersion._meta.db_table} WHERE id IN (%s, %s)",
            [CONTENT, STRUCTURE],
        )
        rows = dict(cursor.fetchall())
    versions = rows.get(CONTENT, 0), rows.get(STRUCTURE, 0)
    if request is not None:
        setattr(request, VERSION_ATTRIBUTE, versions[0])
        setattr(request, STRUCTURE_ATTRIBUTE, versions[1])
    return versions


def content_version(request=None):
    """The current version; once per request when a request is given."""
    if request is not None and hasattr(request, VERSION_ATTRIBUTE):
        return getattr(request, VERSION_ATTRIBUTE)
    return _read_versions(request)[0]


def structure_version(request=None):
    """The current structure version, read with the content version."""
    if request is not None and hasattr(request, STRUCTURE_ATTRIBUTE):
        return getattr(request, STRUCTURE_ATTRIBUTE)
    return _read_versions(request)[1]


def _raise(row):
    if not ContentVersion.objects.filter(pk=row).update(number=F("number") + 1):
        ContentVersion.objects.get_or_create(pk=row)
        ContentVersion.objects.filter(pk=row).update(number=F("number") + 1)


def bump(**kwargs):
    """A change of public content: raise the version (creating its row the first time)."""
    _raise(CONTENT)


def bump_structure(**kwargs):
    """A change that related and comparable programmes depend on."""
    _raise(STRUCTURE)


def bump_after_migrate(using="default", **kwargs):
    """A deployment may render pages differently: start from a fresh version."""
    if ContentVersion._meta.db_table in connection.introspection.table_names():
        bump()


def _get(key):
    """The cache is a help, never a condition: if it is unreachable, pages are rendered."""
    try:
        return cache.get(key)
    except Exception:  # each backend raises its own connection errors
        logger.warning("Cache unreachable, serving without it", exc_info=True)
        return None


def _set(key, value, timeout):
    try:
        cache.set(key, value, timeout)
    except Exception:  # as in _get
        logger.warning("Cache unreachable, not storing %s", key, exc_info=True)


def _get_many(keys):
    try:
        return cache.get_many(keys)
    except Exception:  # as in _get
        logger.warning("Cache unreachable, serving without it", exc_info=True)
        return {}


def _set_many(values, timeout):
    try:
        cache.set_many(values, timeout)
    except Exception:  # as in _get
        logger.warning("Cache unreachable, not storing %d values", len(values), exc_info=True)


def _add(key, value, timeout):
    """Store only if absent; True if stored. Without a reachable cache, True: each process
    then works for itself, as it would without any cache."""
    try:
        return cache.add(key, value, timeout)
    except Exception:  # as in _get
        logger.warning("Cache unreachable, not storing %s", key, exc_info=True)
        return True


def _delete(key):
    try:
        cache.delete(key)
    except Exception:  # as in _get
        logger.warning("Cache unreachable, not deleting %s", key, exc_info=True)


def _digest(name):
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _key(kind, version, name):
    return f"{kind}:{connection.alias}:{version}:{_digest(name)}"


# Values also kept in this process (cached_value(local=True)): at most this many, the oldest
# versions going first. Their keys carry the content version like the shared ones.
_local = {}
LOCAL_MAX = 1000


def forget_local_values():
    """Empty this process's part (for tests, whose databases each start a new count)."""
    _local.clear()
    _local_pages.clear()


class LocalPages:
    """Cached pages also kept in this process, up to a number of bytes, the least recently
    served going first, each for at most PAGE_TIMEOUT like the shared copy (a page may
    depend on the date, e.g. the featured practices): a page read again needs no round trip
    to the shared cache and no unpickling of its hundred kilobytes. Their keys carry the
    content version like the shared ones, so a page of an older version is never served."""

    def __init__(self, limit, timeout=PAGE_TIMEOUT):
        self.limit, self.timeout, self.size = limit, timeout, 0
        self.pages = OrderedDict()  # key → (page, when stored)
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            page, stored = found
            if time.monotonic() - stored > self.timeout:
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        size = len(page[0])
        with self.lock:
            if size > self.limit or key in self.pages:
                return
            while self.pages and self.size + size > self.limit:
                self._drop(next(iter(self.pages)))
            self.pages[key] = (page, time.monotonic())
            self.size += size

    def _drop(self, key):
        (content, _headers), _stored = self.pages.pop(key)
        self.size -= len(content)

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.size = 0


LOCAL_PAGE_BYTES = 32 * 1024 * 1024
_local_pages = LocalPages(LOCAL_PAGE_BYTES)


# A value that takes long to compute (`single`) is computed by one process at a time: the
# others wait this long for its result before they compute it themselves.
BUILD_WAIT = 10
BUILD_POLL = 0.05


def _computed_elsewhere(key):
    """The value another process is computing, once it is stored; None after BUILD_WAIT."""
    deadline = time.monotonic() + BUILD_WAIT
    while time.monotonic() < deadline:
        time.sleep(BUILD_POLL)
        value = _get(key)
        if value is not None:
            return value
    return None


def cached_value(name, compute, *, request=None, local=False, single=False):
    """`compute()` once per content version, e.g. facet counts or statistics. `local` keeps
    the value in this process too, for small values read on most requests (the choices of a
    filter, the facet counts): no round trip to the shared cache, no unpickling. Such a value
    is shared by the requests of the process, so callers only read it. `single` is for values
    that take long: after a change, one process computes it and the others wait for it,
    instead of every worker of every server doing the same work at once."""
    version = content_version(request)
    key = _key("value", version, name)
    if local and key in _local:
        return _local[key]
    value = _get(key)
    building, holding = None, False
    if value is None and single:
        building = _key("building", version, name)
        holding = _add(building, 1, BUILD_WAIT)
        if not holding:
            value = _computed_elsewhere(key)
    if value is None:
        try:
            value = compute()
            _set(key, value, VALUE_TIMEOUT)
        finally:
            if holding:
                _delete(building)
    if local:
        if len(_local) >= LOCAL_MAX:
            # The oldest first (dicts keep the order of insertion); another thread of the
            # process may have made room already.
            with suppress(KeyError, RuntimeError, StopIteration):
                del _local[next(iter(_local))]
        _local[key] = value
    return value


def lasting_values(names, compute):
    """{name: value} for values that their names alone determine, whatever the content
    version (the HTML of a Markdown text, named by the text): each worked out once for all
    processes and servers by `compute(name)`, and kept a day after that. One round trip to
    the shared cache reads them all, and one more stores those that had to be worked out."""
    keys = {name: _key("lasting", 0, name) for name in names}
    found = _get_many(list(keys.values())) if keys else {}
    values, worked_out = {}, {}
    for name, key in keys.items():
        value = found.get(key)
        if value is None:
            value = worked_out[key] = compute(name)
        values[name] = value
    if worked_out:
        _set_many(worked_out, LASTING_TIMEOUT)
    return values


def forget_value(name, request=None):
    """Forget what cached_value or keep_shared stored under this name for the current
    version, in this process and in the shared cache (benchmark_search: a search as if never
    made before)."""
    key = _key("value", content_version(request), name)
    _local.pop(key, None)
    _delete(key)


def shared_value(name, request=None):
    """What `keep_shared` stored under this name for the current content version, from the
    cache that all processes share; None if nothing was."""
    return _get(_key("value", content_version(request), name))


def keep_shared(name, value, request=None):
    """Store a value for the other processes (and servers), under the current version."""
    _set(_key("value", content_version(request), name), value, VALUE_TIMEOUT)


# A visitor with a session (a Merkliste, say) or a notice waiting sees a page of their own.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def _anonymous_read(request):
    return (
        request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and not request.user.is_authenticated
    )


def _stored_page(key):
    """(content, headers) of a cached page: this process's copy, else the shared one, which
    the process then keeps too."""
    stored = _local_pages.get(key)
    if stored is None:
        stored = _get(key)
        if stored is not None:
            _local_pages.put(key, stored)
    return stored


def public_page(view):
    """Serve a public view from the cache for anonymous visitors; answer a repeated request
    with the current tag (`If-None-Match`) with 304. The tag holds even where the page cache
    is switched off (PUBLIC_PAGE_CACHE)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in READ_METHODS:  # TRACE, OPTIONS, POST: nothing to do here
            return HttpResponseNotAllowed(READ_METHODS)
        if not _anonymous_read(request):
            return view(request, *args, **kwargs)
        version, path = content_version(request), request.get_full_path()
        # Feed readers and crawlers ask again with the tag they have: 304, no body. "Any tag"
        # (*) is left to the page itself: an unknown address has none.
        etag = f'"{version}-{_digest(path)}"'
        if request.headers.get("If-None-Match", "").strip() != "*":
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return not_modified
        key = _key("page", version, path)
        stored = _stored_page(key) if settings.PUBLIC_PAGE_CACHE else None
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if response.status_code != 200 or response.cookies:
            return response
        response["ETag"] = etag
        # Streamed answers (the open data) are too large to keep; they still get the tag.
        if settings.PUBLIC_PAGE_CACHE and not response.streaming:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            _set(key, (response.content, headers), PAGE_TIMEOUT)
            _local_pages.put(key, (response.content, headers))
        return response

    return wrapped


def connect(models, link_tables):
    """Raise the version whenever one of these models or link tables changes."""
    for model in models:
        uid = f"content-version-{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
    for through in link_tables:
        m2m_changed.connect(
            _relation_changed, sender=through, dispatch_uid=f"content-version-{through._meta.label}"
        )


def _relation_changed(action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump()
