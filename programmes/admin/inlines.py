"""The parts of the programme form: fundings, documents and the best-practice profile, each
saved right even when someone else saved the programme meanwhile; and the editors' fields
of a profile (CuratedFieldsMixin), shared with the profile admin."""

from django import forms
from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from portal.roles import is_editor

from .. import services
from ..models import (
    Attachment,
    BestPracticeProfile,
    Funding,
)
from .files import STAFF_FILE_FIELDS

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


def is_curated(profile):
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
        if is_curated(obj and obj.profile):
            return allowed and is_editor(request.user)
        return allowed
