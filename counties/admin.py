from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.admin_history import HistoryAdminMixin

from .models import County, CountyMembership, State
from .services import county_confirm

OFFICIAL_FIELDS = [
    "name",
    "ags",
    "official_kind",
    "category",
    "state",
    "nuts3",
    "area",
    "inhabitants",
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
class CountyAdmin(HistoryAdminMixin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "ags", "state", "category", "inhabitants", "last_confirmed_at"]
    list_filter = ["category", "state"]
    list_select_related = ["state"]
    search_fields = ["name", "ags"]
    # Official figures come from Destatis through load_counties; staff keep the profile.
    readonly_fields = [*OFFICIAL_FIELDS, "last_confirmed_at"]

    # Figures as they are written in German: 451.007 inhabitants, 576,51 km².
    @admin.display(description=_("population"), ordering="population")
    def inhabitants(self, county):
        return number_format(county.population, force_grouping=True)

    @admin.display(description=_("area (km²)"), ordering="area_km2")
    def area(self, county):
        return number_format(county.area_km2, decimal_pos=2, force_grouping=True)

    fieldsets = [
        (_("Official figures (Destatis)"), {"fields": OFFICIAL_FIELDS}),
        (_("Profile"), {"fields": ["profile_text", "last_confirmed_at"]}),
        (
            _("Integration office"),
            {
                "fields": [
                    "office_name",
                    "office_email",
                    "office_phone",
                    "office_address",
                    "office_website",
                ]
            },
        ),
        (_("Integration concept"), {"fields": ["concept_year", "concept_url"]}),
    ]

    def get_queryset(self, request):
        # Also what the county autocompletes offer: administrators pick any county for a
        # membership, county staff only their own for a programme.
        counties = super().get_queryset(request)
        if request.user.has_perm("counties.add_countymembership"):
            return counties
        return counties.editable_by(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.last_confirmed_at = timezone.now()  # an edit confirms the profile too
        obj.reminder_sent_at = None
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/confirm/",
                self.admin_site.admin_view(require_POST(self.confirm_view)),
                name="counties_county_confirm",
            ),
            *super().get_urls(),
        ]

    def confirm_view(self, request, object_id):
        county = self._scoped_object(request, object_id)
        county_confirm(county=county, user=request.user)
        messages.success(request, gettext("Thank you: the profile is confirmed as current."))
        return HttpResponseRedirect(reverse("admin:counties_county_change", args=[county.pk]))


@admin.register(CountyMembership)
class CountyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "created_at"]
    list_select_related = ["user", "county"]
    list_filter = ["county__state"]
    search_fields = ["user__username", "user__email", "county__name"]
    autocomplete_fields = ["user", "county"]
