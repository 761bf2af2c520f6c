"""sitemap.xml: an index of sitemap pages listing every public page, drafts never."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from counties.models import County
from programmes.models import FieldOfAction, Programme

from .cache import cached_value
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


SITEMAPS = {
    "pages": PageSitemap,
    "programmes": ProgrammeSitemap,
    "counties": CountySitemap,
    "fields": FieldSitemap,
}
