from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

from portal.cache import cached_value
from portal.links import base_url
from programmes.models import Programme

# The addresses of the head, navigation and footer of every page, by the names the base
# template uses.
SITE_URLS = {
    "home": "portal:home",
    "programme_list": "programmes:programme-list",
    "county_list": "counties:county-list",
    "comparable": "programmes:comparable",
    "statistics": "portal:statistics",
    "merkliste": "programmes:merkliste",
    "feed_all": "programmes:feed-all",
    "feed_best_practices": "programmes:feed-best-practices",
    "impressum": "portal:impressum",
    "datenschutz": "portal:datenschutz",
    "barrierefreiheit": "portal:barrierefreiheit",
    "datenquellen": "portal:datenquellen",
    "open_data": "programmes:open-data",
    "administration": "admin:index",
    "login": "accounts:login",
    "logout": "accounts:logout",
}


@lru_cache(maxsize=8)
def site_urls(prefix):
    """Worked out once per process (and prefix the site is served under), not sixteen
    times on every page."""
    return {key: reverse(name) for key, name in SITE_URLS.items()}


def site(request):
    """What the base template needs on every page."""
    return {
        "operator": settings.PORTAL_OPERATOR,
        "site_urls": site_urls(get_script_prefix()),
        # Canonical addresses name the configured host in production, never the request's
        # Host header (portal.links); the 400 page for a foreign host does not ask for it.
        "base_url": base_url(request),
        "demo_content_loaded": cached_value(
            "demo-content-loaded",
            Programme.objects.filter(is_demo=True).exists,
            request=request,
            local=True,
        ),
    }
