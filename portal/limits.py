"""Hourly limits on what anyone may ask of the portal without an account: questions, saved
searches, dossiers. Counted in the shared cache (Redis in production), so that every server
sees the same count."""

from axes.helpers import get_client_ip_address
from django.core.cache import cache

WINDOW = 60 * 60


def over_limit(kind, key, limit):
    """Count one more request of `kind` for `key`; True once more than `limit` came within
    the hour."""
    name = f"limit:{kind}:{key}"
    try:
        cache.add(name, 0, WINDOW)
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, WINDOW)
        count = 1
    return count > limit


def visitor(request):
    """The visitor's address as the limits and the login lockout count it (behind a load
    balancer see portal.accounts.client_ip)."""
    return get_client_ip_address(request) or "unknown"
