"""Absolute addresses for links that leave the page: open data, feeds, mails."""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import reverse


def absolute(path):
    """A path of the portal as the address a mail or a document carries."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def base_url(request=None):
    """In production the configured PORTAL_BASE_URL, whatever the request's Host header says.
    In development the address the portal is actually reached at (`make run` on another
    PORT), as long as the host is an allowed one."""
    if settings.DEBUG and request is not None:
        try:
            return f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            pass
    return settings.PORTAL_BASE_URL


def slug_paths(name):
    """slug → the path of URL pattern `name` for that slug, as reverse() gives it, with the
    pattern reversed once: for lists of thousands of addresses (sitemap, open data), where
    reversing each one would take most of the time."""
    before, after = reverse(name, kwargs={"slug": "-"}).rsplit("-", 1)
    return lambda slug: f"{before}{quote(slug, safe='')}{after}"
