"""sitemap.xml: an index of sitemap pages listing every public page, drafts never.

Django's sitemaps choose the addresses, page them and answer unknown sections and pages with
404. A page of the sitemap is then written here rather than through a template: a thousand
addresses through the template engine cost 50 ms, written directly a fraction of that."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from counties.models import County
from programmes.models import FieldOfAction, Programme

from .cache import cached_value
from .links import slug_paths
from .models import SitePageKind


class PageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "portal:home",
            "programmes:programme-list",
            "programmes:field-list",
            "counties:county-list",
            "portal:statistics",
            "programmes:open-data",
            "programmes:comparable",
            *[f"portal:{kind}" for kind in SitePageKind.values],
        ]

    def location(self, item):
        return reverse(item)


class ProgrammeSitemap(Sitemap):
    changefreq = "weekly"
    limit = 1000  # addresses per page of the sitemap index

    def items(self):
        return Programme.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def location(self, item):
        # Programme.get_absolute_url, with the pattern reversed once per page.
        if not hasattr(self, "_paths"):
            self._paths = slug_paths("programmes:programme-detail")
        return self._paths(item.slug)

    def get_latest_lastmod(self):
        # The index asks for the newest change; Django would read every programme for it.
        return cached_value(
            "sitemap-programmes-latest",
            lambda: Programme.objects.published().aggregate(latest=Max("updated_at"))["latest"],
        )

    @property
    def paginator(self):
        # Counted once per content version, not on every request for the index or a page.
        pages = super().paginator
        pages.count = cached_value("sitemap-programmes-count", self.items().count)
        return pages


class CountySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return County.objects.only("slug").order_by("pk")


class FieldSitemap(Sitemap):
    def items(self):
        return FieldOfAction.objects.order_by("position")


def _day(value):
    """As the template's `date:"Y-m-d"`: a time in the portal's time zone."""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d")


def urlset(urls):
    """The XML of a sitemap page: address, day of the last change and how often it changes."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{_day(url['lastmod'])}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)


def sitemap_page(request, sitemaps, section=None):
    """One page of the sitemap: Django's view finds the addresses, `urlset` writes them."""
    response = sitemap_views.sitemap(request, sitemaps, section=section)
    page = HttpResponse(urlset(response.context_data["urlset"]), content_type="application/xml")
    if response.has_header("Last-Modified"):
        page["Last-Modified"] = response["Last-Modified"]
    return page


SITEMAPS = {
    "pages": PageSitemap,
    "programmes": ProgrammeSitemap,
    "counties": CountySitemap,
    "fields": FieldSitemap,
}
