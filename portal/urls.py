from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import accounts, admin_shortcut, views
from .models import SitePageKind
from .sitemaps import SITEMAPS

admin.site.site_header = _("Kreise für Integration – administration")
admin.site.site_title = _("Kreise für Integration")
admin.site.index_title = _("Maintain content")

site_pages = [
    path(f"{kind}/", views.site_page, {"kind": kind}, name=kind) for kind in SitePageKind.values
]

urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("", views.home, name="home"),
                    path("statistik/", views.statistics, name="statistics"),
                    path("statistik/<slug:slug>.csv", views.statistics_csv, name="statistics-csv"),
                    *site_pages,
                ],
                "portal",
            )
        ),
    ),
    path("", include("programmes.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("", include("counties.urls")),
    path("", include("portal.accounts")),
    path("admin/login/", accounts.admin_login),
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin_shortcut.view_on_site),
    path("admin/", admin.site.urls),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
