"""Best-practice profiles: written by the county, recognised and featured by the editors."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_history import HistoryAdminMixin
from portal.roles import is_editor

from ..enums import PublicationState
from ..models import (
    BestPracticeProfile,
    Indicator,
    Programme,
)
from .inlines import CuratedFieldsMixin, is_curated


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


@admin.register(BestPracticeProfile)
class BestPracticeProfileAdmin(HistoryAdminMixin, CuratedFieldsMixin, admin.ModelAdmin):
    list_display = [
        "programme",
        "county",
        "is_recognised",
        "is_featured",
        "featured_rank",
        "featured_until",
        "adoptions",
    ]
    list_filter = ["is_recognised", "is_featured", "programme__fields_of_action"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    list_select_related = ["programme__county"]
    search_fields = ["programme__title", "programme__county__name"]
    autocomplete_fields = ["programme"]
    inlines = [IndicatorInline]

    def get_queryset(self, request):
        # How many counties published a practice taken over from it: a signal for editors.
        adopted = Count(
            "programme__adoptions",
            filter=Q(programme__adoptions__publication_state=PublicationState.PUBLISHED),
        )
        return super().get_queryset(request).editable_by(request.user).annotate(adopted=adopted)

    @admin.display(description=_("taken over by"), ordering="adopted")
    def adoptions(self, obj):
        return ngettext("%(count)d county", "%(count)d counties", obj.adopted) % {
            "count": obj.adopted
        }

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("programme")  # the recognition belongs to this programme
        return readonly

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if is_curated(obj):
            return allowed and is_editor(request.user)
        return allowed

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_editor(request.user):
            # The bulk delete would not ask the object-level question above.
            actions.pop("delete_selected", None)
        return actions

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.programme.is_published else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme":
            kwargs["queryset"] = Programme.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("county"), ordering="programme__county__sort_name")
    def county(self, obj):
        return obj.programme.county
