from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from counties.models import County
from portal.admin_history import HistoryAdminMixin, VersionedModelForm
from portal.roles import county_ids, is_editor

from . import contact, services
from .admin_spreadsheets import SpreadsheetAdminMixin
from .enums import PublicationState
from .history import restore
from .keywords import check_keywords
from .models import (
    Attachment,
    BestPracticeProfile,
    ContactReply,
    ContactRequest,
    FieldOfAction,
    Funding,
    Indicator,
    Keyword,
    PartnerKind,
    Programme,
    RequestKind,
    RequestState,
    SearchSynonym,
    StaffRole,
    TargetGroup,
)
from .views import attachment_response, image_response, preview_response

CURATED_FIELDS = [
    "is_recognised",
    "editors_statement",
    "is_featured",
    "featured_rank",
    "featured_until",
]
# The structured facts of a best-practice profile (its transferability card).
CARD_FIELDS = [
    "staff_fte", "staff_roles", "setup_cost", "running_cost", "costs_as_range",
    "depends_on_funding", "months_to_start", "required_partners", "preconditions",
    "works_without_city",
]  # fmt: skip
CARD_DESCRIPTION = _(
    "Other counties filter the programme list by these facts, e.g. “at most one position” "
    "or “ready in six months”. Leave a fact empty if you do not know it."
)
STATE_BADGES = {
    PublicationState.DRAFT: "state-draft",
    PublicationState.SUBMITTED: "state-submitted",
    PublicationState.CHANGES_REQUESTED: "state-changes",
    PublicationState.PUBLISHED: "state-published",
    PublicationState.ARCHIVED: "state-archived",
}


# Workflow steps that tell someone by e-mail.
MAILING_STEPS = {"submit", "publish"}


def _mail_notice(request):
    """What staff see when the step was taken but its e-mail could not be sent."""

    def notice():
        messages.warning(
            request,
            gettext(
                "The step has been saved, but the e-mail about it could not be sent. "
                "Please let the recipients know another way."
            ),
        )

    return notice


def state_badge(programme):
    return format_html(
        '<span class="state-badge {}">{}</span>',
        STATE_BADGES[programme.publication_state],
        programme.get_publication_state_display(),
    )


class ControlledTermAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "slug", "position"]
    search_fields = ["name"]
    # The vocabularies come from migrations; editors may rename, nobody adds or deletes.
    # Addresses and codes stay as they are: saved links and open data rely on them.
    readonly_fields = ["address", "slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Keywords are shared by all counties: editors may correct their spelling, nobody merges or
# deletes them from here (that would change other counties' programmes unrecorded).
admin.site.unregister(Tag)


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(SimpleHistoryAdmin):
    """The editors' synonym list: each change is recorded and applies to the next search."""

    list_display = ["term", "synonym"]
    search_fields = ["term", "synonym"]
    list_per_page = 100


admin.site.register(FieldOfAction, ControlledTermAdmin)
admin.site.register(TargetGroup, ControlledTermAdmin)
admin.site.register(PartnerKind, ControlledTermAdmin)
admin.site.register(StaffRole, ControlledTermAdmin)


class _StaffFileLink:
    """What the file widget shows for a stored file: its name, linked through the portal."""

    def __init__(self, field_file, url):
        self.url = url
        self.name = field_file.name.rsplit("/", 1)[-1]

    def __str__(self):
        return self.name


def staff_file_url(instance):
    if isinstance(instance, Attachment):
        return reverse(
            "admin:programmes_programme_attachment_file", args=[instance.programme_id, instance.pk]
        )
    return reverse("admin:programmes_programme_image_file", args=[instance.pk])


class StaffFileInput(AdminFileWidget):
    """ "Currently:" links to the portal, which serves the file to those who may edit the
    programme (drafts included), with the headers of public files; /media/ is served
    nowhere, in development or production."""

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            return _StaffFileLink(value, staff_file_url(value.instance))
        return super().format_value(value)


STAFF_FILE_FIELDS = {
    models.ImageField: {"widget": StaffFileInput},
    models.FileField: {"widget": StaffFileInput},
}


class CurrentRowsFormSet(BaseInlineFormSet):
    """Someone else may have saved the programme while this form was open (the form then
    says so, see VersionedModelForm). Saving again must still work: rows deleted meanwhile
    are no longer named by their old id, and a profile created meanwhile is the one edited."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if self.is_bound and self.instance.pk is not None:
            self.data, self.files = self._current(self.data, self.files)

    def _current(self, data, files):
        """The submitted rows renumbered: those still there first, then new ones; an
        uploaded file moves with the row it was chosen for."""
        existing = [str(pk) for pk in self.get_queryset().values_list("pk", flat=True)]
        rows = list(enumerate(self._rows(data)))
        initial = self._count(data, "INITIAL_FORMS")
        kept = [(old, row) for old, row in rows[:initial] if row.get("id") in existing]
        # Rows deleted meanwhile come back as new rows (unless marked for deletion too):
        # the person saw the change and saves their version.
        added = [
            (old, {**row, "id": ""})
            for old, row in rows[:initial]
            if row.get("id") not in existing
            if not row.get("DELETE")
        ] + rows[initial:]
        if self.max_num == 1 and not kept and existing and added:
            old, row = added[0]
            kept, added = [(old, {**row, "id": existing[0]})], []  # the profile made meanwhile
        order = kept + added
        management = {
            f"{self.prefix}-{name}"
            for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        }
        cleaned = data.copy()
        for key in [key for key in cleaned if key.startswith(f"{self.prefix}-")]:
            if key not in management:
                del cleaned[key]
        for index, (_old, row) in enumerate(order):
            for name, values in row.items():
                cleaned.setlist(
                    f"{self.prefix}-{index}-{name}",
                    values if isinstance(values, list) else [values],
                )
        cleaned[f"{self.prefix}-INITIAL_FORMS"] = str(len(kept))
        cleaned[f"{self.prefix}-TOTAL_FORMS"] = str(len(order))
        return cleaned, self._moved_files(files, {old: new for new, (old, _r) in enumerate(order)})

    def _moved_files(self, files, new_index):
        moved = files.copy()
        for key in [key for key in files if key.startswith(f"{self.prefix}-")]:
            number, _, name = key[len(self.prefix) + 1 :].partition("-")
            del moved[key]
            if number.isdigit() and int(number) in new_index:
                moved.setlist(f"{self.prefix}-{new_index[int(number)]}-{name}", files.getlist(key))
        return moved

    def _count(self, data, name):
        value = str(data.get(f"{self.prefix}-{name}") or "0")
        return int(value) if value.isdigit() else 0

    def _rows(self, data):
        rows = [{} for _ in range(min(self._count(data, "TOTAL_FORMS"), 1000))]
        for key in data:
            parts = (
                key[len(self.prefix) + 1 :].split("-", 1)
                if key.startswith(f"{self.prefix}-")
                else []
            )
            if len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(rows):
                values = data.getlist(key)
                rows[int(parts[0])][parts[1]] = values if len(values) > 1 else values[0]
        return rows


# Stacked, not tabular: every field keeps its visible label (Django's table rows have none).
# What a step did, said as staff would say it, for one programme or several.
DONE_MESSAGES = {
    services.programme_submit: lambda n: (
        ngettext("Submitted for review.", "%(count)d programmes submitted for review.", n)
        % {"count": n}
    ),
    services.programme_publish: lambda n: (
        ngettext("Published.", "%(count)d programmes published.", n) % {"count": n}
    ),
    services.programme_archive: lambda n: (
        ngettext("Archived.", "%(count)d programmes archived.", n) % {"count": n}
    ),
    services.programme_confirm: lambda n: (
        ngettext("Confirmed as current.", "%(count)d programmes confirmed as current.", n)
        % {"count": n}
    ),
}


class FundingInline(admin.StackedInline):
    model = Funding
    formset = CurrentRowsFormSet
    extra = 0


class AttachmentInline(admin.StackedInline):
    model = Attachment
    formset = CurrentRowsFormSet
    extra = 0
    formfield_overrides = STAFF_FILE_FIELDS
    fields = ["title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "title":  # not a second "Titel" in the programme's form
            formfield.label = _("Title of the document")
        return formfield


class CuratedFieldsMixin:
    """Recognising and featuring best practices is the editors' decision."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not services.may_curate(request.user):
            readonly += CURATED_FIELDS
        return readonly


def _curated(profile):
    """Recognised or featured: the editors' decision and public statement hang on it."""
    return profile is not None and (profile.is_recognised or profile.is_featured)


class BestPracticeInline(CuratedFieldsMixin, admin.StackedInline):
    model = BestPracticeProfile
    formset = CurrentRowsFormSet
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
        (
            _("Transferability card: facts to filter by"),
            {"fields": CARD_FIELDS, "description": CARD_DESCRIPTION},
        ),
        (_("Editors: recognition and featuring"), {"fields": CURATED_FIELDS}),
    ]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def has_delete_permission(self, request, obj=None):
        # obj is the programme; only editors remove a profile they recognised or featured.
        allowed = super().has_delete_permission(request, obj)
        if _curated(obj and obj.profile):
            return allowed and is_editor(request.user)
        return allowed


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the county change?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )


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
class ProgrammeAdmin(HistoryAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    """Spreadsheet import and export: programmes.admin_spreadsheets."""

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
            or _curated(obj and obj.profile)
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

    # Bulk actions: one line each, the work is in services -----------------------------

    def _apply(self, request, queryset, step, **kwargs):
        done = 0
        for programme in queryset:
            try:
                step(programme=programme, user=request.user, **kwargs)
                done += 1
            except services.WorkflowError as error:
                messages.warning(request, f"{programme}: {error}")
        if done:
            messages.success(request, DONE_MESSAGES[step](done))

    @admin.action(description=_("Publish selected programmes"))
    def publish_selected(self, request, queryset):
        self._apply(
            request, queryset, services.programme_publish, on_mail_failure=_mail_notice(request)
        )

    @admin.action(description=_("Archive selected programmes"))
    def archive_selected(self, request, queryset):
        self._apply(request, queryset, services.programme_archive)

    @admin.action(description=_("Confirm that the selected programmes are current"))
    def confirm_selected(self, request, queryset):
        self._apply(request, queryset, services.programme_confirm)

    # Workflow buttons on the change page ----------------------------------------------

    WORKFLOW_STEPS = {
        "submit": services.programme_submit,
        "publish": services.programme_publish,
        "archive": services.programme_archive,
        "confirm": services.programme_confirm,
    }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/<slug:step>/",
                view(require_POST(self.workflow_view)),
                name="programmes_programme_workflow",
            ),
            path(
                "<path:object_id>/request-changes/",
                view(self.request_changes_view),
                name="programmes_programme_request_changes",
            ),
            path("deleted/", view(self.deleted_view), name="programmes_programme_deleted"),
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
            path(
                "deleted/<int:history_id>/restore/",
                view(require_POST(self.undelete_view)),
                name="programmes_programme_undelete",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        return reverse("admin:programmes_programme_change", args=[obj.pk])

    def workflow_view(self, request, object_id, step):
        obj = self._scoped_object(request, object_id)
        if step not in self.WORKFLOW_STEPS:
            raise Http404
        extra = {"on_mail_failure": _mail_notice(request)} if step in MAILING_STEPS else {}
        try:
            self.WORKFLOW_STEPS[step](programme=obj, user=request.user, **extra)
            messages.success(request, DONE_MESSAGES[self.WORKFLOW_STEPS[step]](1))
        except services.WorkflowError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(self._change_url(obj))

    def request_changes_view(self, request, object_id):
        obj = self._scoped_object(request, object_id)
        if not is_editor(request.user):
            raise PermissionDenied
        form = RequestChangesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.programme_request_changes(
                    programme=obj,
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                    on_mail_failure=_mail_notice(request),
                )
                messages.success(request, gettext("The county has been asked for changes."))
                return HttpResponseRedirect(self._change_url(obj))
            except services.WorkflowError as error:
                form.add_error(None, str(error))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "form": form,
            "title": gettext("Request changes"),
        }
        return TemplateResponse(request, "admin/programmes/programme/request_changes.html", context)

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

    def _submit_if_asked(self, request, obj):
        """ "Save and submit for review": the edits are saved first, then submitted."""
        if "_submit_for_review" not in request.POST:
            return None
        try:
            services.programme_submit(
                programme=obj, user=request.user, on_mail_failure=_mail_notice(request)
            )
            messages.success(request, gettext("Saved and submitted for review."))
        except services.WorkflowError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(self._change_url(obj))

    def response_add(self, request, obj, post_url_continue=None):
        return self._submit_if_asked(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._submit_if_asked(request, obj) or super().response_change(request, obj)

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists what a person understands, not link-table rows."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        through = [m._meta.verbose_name_plural for m in self._link_tables()]
        counts = {name: n for name, n in counts.items() if name not in through}
        # Requests go with their programme; nobody needs the right to delete them one by
        # one, and the list does not name them (their contents are the county's).
        private = {str(m._meta.verbose_name) for m in (ContactRequest, ContactReply)}
        perms = {name for name in perms if str(name) not in private}
        return self._strip_links(deleted), counts, perms, protected

    def _link_tables(self):
        return [
            field.remote_field.through
            for field in Programme._meta.many_to_many
            if getattr(field.remote_field, "through", None) is not None
        ]

    def _strip_links(self, items):
        markers = [
            str(m._meta.verbose_name) for m in [*self._link_tables(), ContactRequest, ContactReply]
        ]
        cleaned = []
        for item in items:
            if isinstance(item, list):
                nested = self._strip_links(item)
                if nested:
                    cleaned.append(nested)
            elif not any(marker in str(item) for marker in markers):
                cleaned.append(item)
        return cleaned

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

    # Deleted programmes: recoverable from their history ----------------------------------

    def _deleted_records(self, request):
        records = Programme.history.filter(history_type="-").exclude(
            id__in=Programme.objects.values("pk")
        )
        if not is_editor(request.user):
            # Deleting what was public is the editors' decision; so is bringing it back.
            records = records.filter(county_id__in=county_ids(request.user)).exclude(
                publication_state__in=[PublicationState.PUBLISHED, PublicationState.ARCHIVED]
            )
        return records.select_related("history_user").order_by("-history_date")

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "records": self._deleted_records(request)[:200],
            "title": gettext("Deleted programmes"),
        }
        return TemplateResponse(request, "admin/programmes/programme/deleted.html", context)

    def undelete_view(self, request, history_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        record = get_object_or_404(self._deleted_records(request), history_id=history_id)
        slug = Programme.objects.free_slug(record.slug)
        programme = restore(record=record, user=request.user, overrides={"slug": slug})
        messages.success(request, gettext("The programme has been restored."))
        if slug != record.slug:
            messages.warning(
                request,
                gettext(
                    "Its address “%(old)s” has been given to another programme in the "
                    "meantime; the restored programme now has the address “%(new)s”."
                )
                % {"old": record.slug, "new": slug},
            )
        return HttpResponseRedirect(self._change_url(programme))


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
        if _curated(obj):
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


# Requests between counties ------------------------------------------------------------


class ContactRequestForm(forms.ModelForm):
    """The staff's side of a request: an answer to send, and the state."""

    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Sent by e-mail to the sender through the portal; your e-mail address is not shown."
        ),
    )

    class Meta:
        model = ContactRequest
        fields = ["state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [
            (value, label)
            for value, label in RequestState.choices
            if value != RequestState.UNCONFIRMED
        ]

    def clean(self):
        cleaned = super().clean()
        answering = bool((cleaned.get("answer") or "").strip())
        if (
            cleaned.get("state") == RequestState.ANSWERED
            and not answering
            and self.instance.answered_at is None
        ):
            self.add_error("answer", _("Write an answer first; it is then marked as answered."))
        return cleaned


REQUEST_FIELDS = [
    "programme", "kind", "sender_column", "message", "proposed_dates", "visitors",
    "created_at", "confirmed_at", "answered_at", "closed_at", "replies_column",
]  # fmt: skip


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """County staff read and answer their own county's requests; nobody else reads them.
    Editors see how many there are, not what they say."""

    form = ContactRequestForm
    list_display = ["created_at", "kind", "programme", "sender_column", "state"]
    list_filter = ["state", "kind"]
    list_select_related = ["programme", "sender_county"]
    readonly_fields = REQUEST_FIELDS
    fieldsets = [
        (None, {"fields": REQUEST_FIELDS}),
        (_("Answer"), {"fields": ["answer", "state"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .for_staff(request.user)
            .select_related("programme__county", "sender_county")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deleted by purge_contact_requests, as the privacy policy says

    @admin.display(description=_("sender"))
    def sender_column(self, obj):
        return obj.sender_label

    @admin.display(description=_("answers so far"))
    def replies_column(self, obj):
        replies = list(obj.replies.select_related("author"))
        if not replies:
            return gettext("none yet")
        return format_html_join(
            "",
            '<p class="request-reply"><strong>{} – {}</strong><br>{}</p>',
            (
                (
                    date_format(timezone.localtime(reply.created_at), "DATETIME_FORMAT"),
                    reply.author.get_full_name() or reply.author.get_username()
                    if reply.author
                    else "–",
                    linebreaksbr(reply.body),
                )
                for reply in replies
            ),
        )

    def save_model(self, request, obj, form, change):
        """Through the write rules of programmes.contact: the mail and the state go together."""
        answer = (form.cleaned_data.get("answer") or "").strip()
        wanted = form.cleaned_data["state"]
        current = ContactRequest.objects.get(pk=obj.pk)
        try:
            if answer:
                contact.answer_request(item=current, user=request.user, body=answer)
                messages.success(request, gettext("Your answer has been sent."))
                current.refresh_from_db()
            if wanted != current.state and not (answer and wanted == RequestState.OPEN):
                contact.set_state(item=current, user=request.user, state=wanted)
        except contact.RequestError as error:
            messages.error(request, str(error))
        obj.refresh_from_db()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if is_editor(request.user):
            extra_context["request_counts"] = request_counts()
        return super().changelist_view(request, extra_context)


def request_counts():
    """Requests by state and kind across all counties: numbers only, for the editors."""
    rows = (
        ContactRequest.objects.delivered()
        .values("kind", "state")
        .annotate(count=Count("pk"))
        .order_by("kind", "state")
    )
    kinds, states = dict(RequestKind.choices), dict(RequestState.choices)
    return [
        {"kind": kinds[row["kind"]], "state": states[row["state"]], "count": row["count"]}
        for row in rows
    ]
