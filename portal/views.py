import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from counties.models import County
from programmes import terms
from programmes.models import BestPracticeProfile, Programme

from . import statistics as stats
from .cache import cached_value
from .models import SitePage

NEWEST_COUNT = 6
# The first of the featured practices in the editors' order; the list shows them all.
FEATURED_COUNT = 9


def _figures():
    return {
        "counties": County.objects.taking_part().count(),
        "programmes": Programme.objects.published().count(),
        "best_practices": BestPracticeProfile.objects.published().count(),
    }


def home(request):
    published = Programme.objects.published()
    # The featured programmes in the editors' order, as cards (no profile texts).
    featured = list(
        Programme.objects.featured().for_cards("best_practice__editors_statement")[:FEATURED_COUNT]
    )
    newest = list(published.for_cards().order_by("-published_at", "title")[:NEWEST_COUNT])
    # The fields of action and counties of all cards in one statement (programmes.terms).
    terms.attach((), [*featured, *newest], request=request)
    context = {
        "featured": featured,
        "fields": terms.counted_fields(request),
        "newest": newest,
        "figures": cached_value("home-figures", _figures, request=request, local=True),
    }
    return render(request, "portal/home.html", context)


def ping(request):
    """Liveness for a load balancer, and the bare view that load tests compare pages with:
    no database, no template, no session."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_safe
def healthz(request):
    """Readiness for a load balancer: the database answers with every migration applied, and
    the cache stores and returns a value. 503 with the failing part named otherwise."""
    problems = []
    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            problems.append("migrations pending")
    except DatabaseError:
        problems.append("database unreachable")
    try:
        probe = f"healthz-{uuid.uuid4().hex}"
        cache.set(probe, "ok", 10)
        if cache.get(probe) != "ok":
            problems.append("cache does not return values")
        cache.delete(probe)
    except Exception:  # each cache backend raises its own connection errors
        problems.append("cache unreachable")
    response = HttpResponse(
        "\n".join(problems) or "ok",
        content_type="text/plain; charset=utf-8",
        status=503 if problems else 200,
    )
    add_never_cache_headers(response)
    return response


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /anmelden/",
        # Personal pages, and dossiers that cost a PDF each.
        "Disallow: /merkliste/",
        "Disallow: /suchauftrag/",
        "Disallow: /*dossier.pdf",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def csrf_failure(request, reason=""):
    """A form that failed Django's CSRF check, explained in the portal's own look."""
    return render(request, "403_csrf.html", status=403)


def site_page(request, kind):
    page = get_object_or_404(SitePage, kind=kind)
    return render(request, "portal/sitepage_detail.html", {"page": page})


def statistics(request):
    tables = cached_value("statistics", stats.all_tables, request=request)
    return render(request, "portal/statistics.html", {"tables": tables})


def statistics_csv(request, slug):
    for table in stats.all_tables():
        if table.slug == slug:
            return stats.as_csv(table)
    raise Http404
