from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import accounts, admin_shortcut, views
from .cache import public_page
from .models import SitePageKind
from .sitemaps import SITEMAPS, sitemap_page

admin.site.site_header = _("Kreise für Integration – administration")
admin.site.site_title = _("Kreise für Integration")
admin.site.index_title = _("Maintain content")

site_pages = [
    path(f"{kind}/", public_page(views.site_page), {"kind": kind}, name=kind)
    for kind in SitePageKind.values
]

urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("", public_page(views.home), name="home"),
                    path("statistik/", public_page(views.statistics), name="statistics"),
                    path(
                        "statistik/<slug:slug>.csv",
                        public_page(views.statistics_csv),
                        name="statistics-csv",
                    ),
                    *site_pages,
                ],
                "portal",
            )
        ),
    ),
    path("", include("programmes.urls")),
    path("sitemap.xml", public_page(sitemap_views.index), {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_page),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
    path("ping/", views.ping, name="ping"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("counties.urls")),
    path("", include("portal.accounts")),
    path("admin/login/", accounts.admin_login),
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin_shortcut.view_on_site),
    path("admin/", admin.site.urls),
]
