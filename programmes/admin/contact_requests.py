"""Requests between counties: read and answered by the county's staff, counted for the editors."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.roles import is_editor

from .. import contact
from ..models import (
    ContactRequest,
    RequestKind,
    RequestState,
)


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
