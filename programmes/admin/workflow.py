"""The review workflow in the admin: the steps as buttons on a programme's page and as bulk
actions, each a call of programmes.services, and what they did said as staff would say it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.roles import is_editor

from .. import services
from ..enums import PublicationState

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


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the county change?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )


class WorkflowAdminMixin:
    """The steps of the review workflow in the programme admin: bulk actions, buttons on the
    change page, and "Save and submit for review"."""

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
