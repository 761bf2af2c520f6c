"""The admin's "Verlauf" as a readable diff with a one-step restore, for every model whose
history django-simple-history keeps. The object comes through the admin's own (scoped)
get_object, so nobody sees or restores the history of what they may not edit."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.history import RECORDS, SNAPSHOTS, changes, restore, timeline

HISTORY_LIMIT = 100
VERSION_FIELD = "loaded_version"
SHOWN_CHARS = 160


class VersionedModelForm(forms.ModelForm):
    """Carries the version a person started from. If someone else saved in the meantime,
    the save is stopped and the form comes back with what they typed, the other person's
    changes and the newer version, so that saving again is a conscious decision."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields[VERSION_FIELD].initial = self._version()

    def tracked(self):
        """(label, history records) of what this form edits: the object itself, and in
        subclasses what its inlines edit with their own history."""
        return [("", self.instance.history.all())]

    def _newest(self):
        return [
            records.order_by("-history_date", "-history_id").first()
            for _label, records in self.tracked()
        ]

    def _version(self, newest=None):
        newest = self._newest() if newest is None else newest
        return "-".join(str(record.history_id if record else 0) for record in newest)

    def clean(self):
        cleaned = super().clean()
        loaded = str(cleaned.get(VERSION_FIELD) or "")
        if self.instance.pk is None or not loaded:
            return cleaned
        newest = self._newest()  # once: the version and the changes come from the same rows
        if loaded == self._version(newest):
            return cleaned
        meanwhile = self._changes_since(loaded.split("-"), newest)
        if meanwhile:
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = self._version(newest)
            latest = max((r for r in newest if r), key=lambda record: record.history_date)
            raise ValidationError(self._conflict_messages(latest, meanwhile))
        return cleaned

    def _changes_since(self, loaded_ids, newest):
        """The changes of each tracked object since the version the person started from."""
        meanwhile = []
        for index, ((label, records), record) in enumerate(
            zip(self.tracked(), newest, strict=True)
        ):
            earlier_id = loaded_ids[index] if index < len(loaded_ids) else ""
            if record is None or earlier_id == str(record.history_id):
                continue
            earlier = (
                records.filter(history_id=earlier_id).first() if earlier_id.isdigit() else None
            )
            for change in changes(record, earlier):
                if label:  # an inline's record: every field of it is in the form
                    change.label = f"{label} – {change.label}"
                    meanwhile.append(change)
                elif change.name in self.fields or change.name in SNAPSHOTS:
                    meanwhile.append(change)
        return meanwhile

    def _conflict_messages(self, newest, meanwhile):
        who = newest.history_user.get_username() if newest.history_user else _("someone")
        when = date_format(timezone.localtime(newest.history_date), "SHORT_DATETIME_FORMAT")
        summary = _(
            "While you were editing, %(who)s saved this entry (%(when)s). Nothing of yours "
            "has been saved yet; what you typed is still in the form. Check the changes "
            "listed here, then save again to keep your version."
        ) % {"who": who, "when": when}
        details = [
            _("%(field)s: “%(before)s” → “%(after)s”")
            % {
                "field": change.label,
                "before": truncatechars(change.before, SHOWN_CHARS),
                "after": truncatechars(change.after, SHOWN_CHARS),
            }
            for change in meanwhile
        ]
        return [summary, *details]


class HistoryAdminMixin:
    """One history record per admin save, a diff view and a restore button, and no silent
    overwriting of someone else's changes (VersionedModelForm)."""

    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        try:
            super().save_related(request, form, formsets, change)
        finally:
            obj.__dict__.pop("skip_history_when_saving", None)
        obj._history_user = request.user
        RECORDS[type(obj)].create_historical_record(obj, "~" if change else "+")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name=f"{info[0]}_{info[1]}_restore",
            ),
            *super().get_urls(),
        ]

    def _url_name(self, view):
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _scoped_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(_("This entry does not exist or you may not see it."))
        return obj

    def history_view(self, request, object_id, extra_context=None):
        obj = self._scoped_object(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        # One record more than shown: the oldest shown one is compared with its predecessor.
        records = list(
            obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
                : HISTORY_LIMIT + 1
            ]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(object)s") % {"object": obj},
            "opts": self.opts,
            "object": obj,
            "timeline": timeline(records, complete=len(records) <= HISTORY_LIMIT),
            "can_restore": self.has_change_permission(request, obj),
            "restore_url_name": self._url_name("restore"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/history_diff.html", context)

    def restore_view(self, request, object_id, history_id):
        obj = self._scoped_object(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history, history_id=history_id)
        restore(record=record, user=request.user)
        messages.success(request, _("The earlier version has been restored."))
        return HttpResponseRedirect(
            reverse(
                self._url_name("change"),
                args=[obj.pk],
            )
        )
