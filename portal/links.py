"""Absolute addresses for links that leave the page: open data, feeds, mails."""

from django.conf import settings
from django.core.exceptions import DisallowedHost


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
