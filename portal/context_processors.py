from django.conf import settings

from programmes.models import Programme


def site(request):
    """What the base template needs on every page."""
    return {
        "operator": settings.PORTAL_OPERATOR,
        "demo_content_loaded": Programme.objects.filter(is_demo=True).exists(),
    }
