from django.shortcuts import get_object_or_404, render

from counties.models import County
from programmes.models import BestPracticeProfile, FieldOfAction, Programme

from .models import SitePage

NEWEST_COUNT = 6


def home(request):
    published = Programme.objects.published()
    featured = (
        BestPracticeProfile.objects.featured()
        .select_related("programme__county__state")
        .prefetch_related("programme__fields_of_action")
    )
    context = {
        "featured": featured,
        "fields": FieldOfAction.objects.with_published_counts(),
        "newest": published.for_cards().order_by("-published_at", "title")[:NEWEST_COUNT],
        "figures": {
            "counties": County.objects.taking_part().count(),
            "programmes": published.count(),
            "best_practices": BestPracticeProfile.objects.published().count(),
        },
    }
    return render(request, "portal/home.html", context)


def csrf_failure(request, reason=""):
    """A form that failed Django's CSRF check, explained in the portal's own look."""
    return render(request, "403_csrf.html", status=403)


def site_page(request, kind):
    page = get_object_or_404(SitePage, kind=kind)
    return render(request, "portal/sitepage_detail.html", {"page": page})
