from django.conf import settings

from portal.cache import cached_value
from portal.links import base_url
from programmes.models import Programme


def site(request):
    """What the base template needs on every page."""
    return {
        "operator": settings.PORTAL_OPERATOR,
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
