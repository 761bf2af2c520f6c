from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    BestPracticeProfile,
    FieldOfAction,
    Funding,
    Indicator,
    PartnerKind,
    Programme,
    TargetGroup,
)
from .services import programme_publish, programme_stamp_publication, programme_unpublish


class ControlledTermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name"]
    # The vocabularies come from migrations; renaming is fine, new terms are not.
    readonly_fields = ["slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(FieldOfAction, ControlledTermAdmin)
admin.site.register(TargetGroup, ControlledTermAdmin)
admin.site.register(PartnerKind, ControlledTermAdmin)


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0


class BestPracticeInline(admin.StackedInline):
    model = BestPracticeProfile
    extra = 0
    max_num = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "starting_situation",
                    "approach",
                    "results",
                    "success_factors",
                    "obstacles",
                ]
            },
        ),
        (
            _("Transferability"),
            {"fields": ["transfer_staff", "transfer_money", "transfer_partners", "transfer_time"]},
        ),
        (_("Featuring"), {"fields": ["is_featured", "featured_rank", "featured_until"]}),
    ]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # Controlled vocabularies are short lists: checkboxes, so nobody can invent a term.
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    list_display = [
        "title",
        "county",
        "status",
        "publication_state",
        "is_best_practice",
        "updated_at",
    ]
    list_filter = ["publication_state", "status", "fields_of_action", "county__state"]
    list_select_related = ["county", "best_practice"]
    search_fields = ["title", "summary", "county__name"]
    autocomplete_fields = ["county"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    inlines = [FundingInline, BestPracticeInline]
    actions = ["publish_selected", "unpublish_selected"]
    readonly_fields = ["created_at", "updated_at", "published_at"]
    fieldsets = [
        (None, {"fields": ["county", "title", "slug", "summary", "description", "goals"]}),
        (_("Classification"), {"fields": ["fields_of_action", "target_groups", "keywords"]}),
        (_("Partners"), {"fields": ["partner_kinds", "partner_names"]}),
        (
            _("Course and reach"),
            {"fields": ["status", "start_date", "end_date", "reach", "budget"]},
        ),
        (_("Image"), {"fields": ["image", "image_alt", "image_credit"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "contact_name",
                    "contact_role",
                    "contact_email",
                    "contact_phone",
                    "website",
                ]
            },
        ),
        (
            _("Publication"),
            {"fields": ["publication_state", "published_at", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(boolean=True, description=_("best practice"))
    def is_best_practice(self, obj):
        return hasattr(obj, "best_practice")

    def save_model(self, request, obj, form, change):
        programme_stamp_publication(programme=obj)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish selected programmes"))
    def publish_selected(self, request, queryset):
        for programme in queryset:
            programme_publish(programme=programme)

    @admin.action(description=_("Take selected programmes back to draft"))
    def unpublish_selected(self, request, queryset):
        for programme in queryset:
            programme_unpublish(programme=programme)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(BestPracticeProfile)
class BestPracticeProfileAdmin(admin.ModelAdmin):
    list_display = ["programme", "county", "is_featured", "featured_rank", "featured_until"]
    list_editable = ["is_featured", "featured_rank", "featured_until"]
    list_filter = ["is_featured", "programme__fields_of_action"]
    list_select_related = ["programme__county"]
    search_fields = ["programme__title", "programme__county__name"]
    autocomplete_fields = ["programme"]
    inlines = [IndicatorInline]

    @admin.display(description=_("county"), ordering="programme__county__name")
    def county(self, obj):
        return obj.programme.county
