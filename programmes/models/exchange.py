"""Requests between counties: questions and study-visit requests to the people who run a
programme, and the county's answers."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from counties.models import County
from portal.roles import county_ids

from .programmes import Programme


class RequestKind(models.TextChoices):
    QUESTION = "question", _("Question")
    VISIT = "visit", _("Study visit")


class RequestState(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("awaiting confirmation of the address")
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("done")


class ContactRequestQuerySet(models.QuerySet):
    def delivered(self):
        """Confirmed and passed on to the county: what its staff work with."""
        return self.exclude(state=RequestState.UNCONFIRMED)

    def for_staff(self, user):
        """A county's requests are read by its own staff only, editors included."""
        return self.delivered().filter(programme__county_id__in=county_ids(user))

    def answered(self):
        return self.filter(
            state__in=[RequestState.ANSWERED, RequestState.CLOSED], answered_at__isnull=False
        )

    def answered_by_county(self):
        """{county id: {"questions": n, "visits": n}} for every county that answered."""
        rows = (
            self.answered()
            .values("programme__county_id")
            .annotate(
                questions=Count("pk", filter=Q(kind=RequestKind.QUESTION)),
                visits=Count("pk", filter=Q(kind=RequestKind.VISIT)),
            )
        )
        return {
            row["programme__county_id"]: {"questions": row["questions"], "visits": row["visits"]}
            for row in rows
        }


class ContactRequest(models.Model):
    """A question or a study-visit request to the people who run a programme. The portal
    delivers it and the answer; the contact person's address is never shown to the sender.
    Personal data: deleted a year after it was closed (manage.py purge_contact_requests)."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="contact_requests",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.UNCONFIRMED
    )
    sender_name = models.CharField(_("name"), max_length=120)
    sender_organisation = models.CharField(_("organisation"), max_length=200)
    sender_email = models.EmailField(_("e-mail address"))
    # Set when county staff send under their county's name.
    sender_county = models.ForeignKey(
        County,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sending county"),
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    message = models.TextField(_("message"), max_length=5000)
    proposed_dates = models.CharField(_("proposed dates"), max_length=300, blank=True)
    visitors = models.PositiveSmallIntegerField(
        _("number of visitors"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    token = models.UUIDField(_("confirmation key"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RequestKind.values), name="request_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="request_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.programme}"

    @property
    def sender_label(self):
        if self.sender_county_id:
            return f"{self.sender_name} ({self.sender_county.name})"
        return f"{self.sender_name} ({self.sender_organisation})"


class ContactReply(models.Model):
    request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="replies", verbose_name=_("request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    body = models.TextField(_("answer"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at"]

    def __str__(self):
        return self.body[:60]
