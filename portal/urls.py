from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import accounts, views
from .models import SitePageKind

admin.site.site_header = _("Kreise für Integration – administration")
admin.site.site_title = _("Kreise für Integration")
admin.site.index_title = _("Maintain content")

site_pages = [
    path(f"{kind}/", views.site_page, {"kind": kind}, name=kind) for kind in SitePageKind.values
]

urlpatterns = [
    path("", include(([path("", views.home, name="home"), *site_pages], "portal"))),
    path("", include("programmes.urls")),
    path("", include("counties.urls")),
    path("", include("portal.accounts")),
    path("admin/login/", accounts.admin_login),
    path("admin/", admin.site.urls),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
