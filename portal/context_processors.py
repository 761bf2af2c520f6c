from django.conf import settings

from programmes.models import Programme


def site(request):
    """What the base template needs on every page."""
    return {
        "operator": settings.PORTAL_OPERATOR,
        # Canonical addresses name the configured host, never the request's Host header:
        # the 400 page for a foreign host must not ask for it again.
        "base_url": settings.PORTAL_BASE_URL,
        "demo_content_loaded": Programme.objects.filter(is_demo=True).exists(),
    }
