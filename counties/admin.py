from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import County, State

OFFICIAL_FIELDS = [
    "name",
    "ags",
    "official_kind",
    "category",
    "state",
    "nuts3",
    "area_km2",
    "population",
    "slug",
]


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    readonly_fields = ["code", "name", "slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "ags", "state", "category", "population"]
    list_filter = ["category", "state"]
    list_select_related = ["state"]
    search_fields = ["name", "ags"]
    # Official figures come from Destatis through load_counties; staff keep the profile.
    readonly_fields = OFFICIAL_FIELDS
    fieldsets = [
        (
            _("Official figures (Destatis)"),
            {"fields": OFFICIAL_FIELDS},
        ),
        (_("Profile"), {"fields": ["profile_text"]}),
        (
            _("Integration office"),
            {
                "fields": [
                    "office_name",
                    "office_email",
                    "office_phone",
                    "office_address",
                    "office_website",
                ],
            },
        ),
        (_("Integration concept"), {"fields": ["concept_year", "concept_url"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
