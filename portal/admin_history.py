"""The admin's "Verlauf" as a readable diff with a one-step restore, for every model whose
history django-simple-history keeps. The object comes through the admin's own (scoped)
get_object, so nobody sees or restores the history of what they may not edit."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programmes.history import RECORDS, restore, timeline

HISTORY_LIMIT = 100


class HistoryAdminMixin:
    """One history record per admin save, a diff view and a restore button."""

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
