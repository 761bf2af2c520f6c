"""The programme admin: the county staff's form for their own programmes, the editors' for all."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from counties.models import County
from portal.admin_history import HistoryAdminMixin, VersionedModelForm
from portal.roles import county_ids, is_editor

from .. import services
from ..enums import PublicationState
from ..keywords import check_keywords
from ..models import (
    BestPracticeProfile,
    Programme,
)
from ..views import attachment_response, image_response, preview_response
from .files import STAFF_FILE_FIELDS
from .inlines import AttachmentInline, BestPracticeInline, FundingInline, is_curated
from .recovery import RecoveryAdminMixin
from .spreadsheets import SpreadsheetAdminMixin
from .workflow import WorkflowAdminMixin, state_badge

# Set by the workflow and the system, shown to staff but never edited in the form.
PUBLICATION_FIELDS = [
    "publication_state", "review_comment", "published_at", "last_confirmed_at", "created_at",
    "updated_at",
]  # fmt: skip


class ProgrammeAdminForm(VersionedModelForm):
    def tracked(self):
        profile_records = BestPracticeProfile.history.filter(programme_id=self.instance.pk)
        return [*super().tracked(), (gettext("Best practice"), profile_records)]

    def clean_keywords(self):
        return check_keywords(self.cleaned_data["keywords"])


@admin.register(Programme)
class ProgrammeAdmin(
    HistoryAdminMixin,
    SpreadsheetAdminMixin,
    WorkflowAdminMixin,
    RecoveryAdminMixin,
    admin.ModelAdmin,
):
    """Spreadsheet import and export: programmes.admin.spreadsheets; the review workflow:
    programmes.admin.workflow; the deletion page and recovery: programmes.admin.recovery."""

    form = ProgrammeAdminForm
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # Controlled vocabularies are short lists: checkboxes, so nobody can invent a term.
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
        **STAFF_FILE_FIELDS,
    }
    list_display = ["title", "county", "state_column", "status", "is_best_practice", "updated_at"]
    list_filter = ["publication_state", "status", "fields_of_action", "county__state"]
    list_select_related = ["county", "best_practice"]
    search_fields = ["title", "summary", "county__name"]
    autocomplete_fields = ["county"]
    prepopulated_fields = {"slug": ["title"]}
    save_on_top = True  # a long form: its buttons at the top too
    inlines = [FundingInline, AttachmentInline, BestPracticeInline]
    actions = ["publish_selected", "archive_selected", "confirm_selected"]
    readonly_fields = PUBLICATION_FIELDS
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
        (_("Publication"), {"fields": PUBLICATION_FIELDS}),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["admin/js/urlify.js", "js/german_slugs.js"]

    # Who sees what ----------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = County.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not is_editor(request.user):
            readonly.append("county")  # county staff cannot move a programme elsewhere
        if obj is not None and obj.is_adapted:
            readonly.append("source_column")
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.is_adapted:
            fieldsets.insert(
                1,
                (
                    _("Taken over from another county"),
                    {"fields": ["source_column", "adaptation_note"]},
                ),
            )
        return fieldsets

    @admin.display(description=_("taken over from"))
    def source_column(self, obj):
        source = obj.adapted_from
        label = f"{obj.adapted_from_title} ({obj.adapted_from_county})"
        if source is not None and source.is_published:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                source.get_absolute_url(),
                label,
            )
        return label

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = county_ids(request.user)
        if len(own) == 1 and "county" not in initial:
            initial["county"] = next(iter(own))
        return initial

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is not None and (
            obj.publication_state in (PublicationState.PUBLISHED, PublicationState.ARCHIVED)
            or is_curated(obj and obj.profile)
        ):
            return allowed and is_editor(request.user)  # and recoverable from the history
        return allowed

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_editor(request.user):
            for name in ["publish_selected", "archive_selected", "delete_selected"]:
                actions.pop(name, None)
        return actions

    # Saving: an edit also confirms that the content is current -------------------------

    def save_model(self, request, obj, form, change):
        if obj.is_published:  # an edit of a public programme confirms that it is current
            obj.last_confirmed_at = timezone.now()
            obj.reminder_sent_at = None
        super().save_model(request, obj, form, change)

    # List columns ------------------------------------------------------------------

    @admin.display(description=_("publication"), ordering="publication_state")
    def state_column(self, obj):
        return state_badge(obj)

    @admin.display(boolean=True, description=_("best practice"))
    def is_best_practice(self, obj):
        return hasattr(obj, "best_practice") and obj.best_practice.is_recognised

    # The change page and the staff's view of files -----------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A programme of another county: say so, and nothing more about it."""
        if (
            str(object_id).isdigit()
            and self.has_view_or_change_permission(request)
            and not self.get_queryset(request).filter(pk=object_id).exists()
            and Programme.objects.filter(pk=object_id).exists()
        ):
            messages.warning(
                request,
                gettext(
                    "This programme belongs to another county. You can open the programmes "
                    "of your own county."
                ),
            )
            return HttpResponseRedirect(reverse("admin:programmes_programme_changelist"))
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform") and context["adminform"].form
        if form is not None and form.errors and request.FILES.get("image"):
            # A browser cannot keep a chosen file across a page with errors.
            messages.warning(
                request,
                gettext(
                    "The chosen image has not been saved because the form has errors. "
                    "Please correct them and choose the image again."
                ),
            )
        if obj is not None and request.method == "GET":
            self._notice_unadapted_texts(request, obj)
        state = obj.publication_state if obj is not None else PublicationState.DRAFT
        context.update(
            may_submit=state in services.TRANSITIONS["submit"] and not is_editor(request.user),
            may_review=is_editor(request.user),
            transitions=services.TRANSITIONS,
        )
        if obj is not None:
            context["state_badge"] = state_badge(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _notice_unadapted_texts(self, request, obj):
        """Texts of a taken-over programme still word for word those of its source: marked
        as the source's, so that staff adapt them to their county."""
        source = obj.adapted_from
        if source is None or obj.publication_state != PublicationState.DRAFT:
            return
        same = [
            str(Programme._meta.get_field(name).verbose_name)
            for name in services.ADOPTED_TEXTS
            if getattr(obj, name) and getattr(obj, name) == getattr(source, name)
        ]
        if same:
            messages.info(
                request,
                gettext(
                    "Still as in the programme you took over from %(county)s: %(fields)s. "
                    "Please adapt them to your county."
                )
                % {"county": obj.adapted_from_county, "fields": ", ".join(same)},
            )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/vorschau/",
                view(self.preview_view),
                name="programmes_programme_preview",
            ),
            path(
                "<path:object_id>/datei/bild/",
                view(self.image_file_view),
                name="programmes_programme_image_file",
            ),
            path(
                "<path:object_id>/datei/dokument/<int:attachment_id>/",
                view(self.attachment_file_view),
                name="programmes_programme_attachment_file",
            ),
            *super().get_urls(),
        ]

    # Files of any state, for those who may edit the programme ---------------------------

    def _file_owner(self, request, object_id):
        obj = self._scoped_object(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def preview_view(self, request, object_id):
        return preview_response(request, self._file_owner(request, object_id))

    def image_file_view(self, request, object_id):
        return image_response(self._file_owner(request, object_id))

    def attachment_file_view(self, request, object_id, attachment_id):
        programme = self._file_owner(request, object_id)
        return attachment_response(get_object_or_404(programme.attachments, pk=attachment_id))
