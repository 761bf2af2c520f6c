"""What people keep of the portal: the Merkliste of those signed in (visitors without an
account keep theirs in the session), and saved searches mailed as digests."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from counties.models import County

from .programmes import Programme


class MerklistEntry(models.Model):
    """A programme on a signed-in person's Merkliste; visitors without an account keep theirs
    in the session (programmes.merkliste)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merkliste_entries"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("Merkliste entry")
        verbose_name_plural = _("Merkliste entries")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="merkliste_once_per_user")
        ]

    def __str__(self):
        return f"{self.user} – {self.programme}"


class Rhythm(models.TextChoices):
    WEEKLY = "woechentlich", _("weekly")
    MONTHLY = "monatlich", _("monthly")


class SearchSubscription(models.Model):
    """A saved search ("Suchauftrag"): the list's filters, or the counties like one county,
    mailed to an address in a rhythm once the address is confirmed (double opt-in)."""

    email = models.EmailField(_("e-mail address"))
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    similar_to = models.ForeignKey(
        County,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counties like"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="search_subscriptions",
        verbose_name=_("staff account"),
    )
    rhythm = models.CharField(_("rhythm"), max_length=20, choices=Rhythm.choices)
    token = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["created_at", "pk"]
        # Addresses are compared case-blind (email__iexact, which PostgreSQL writes as UPPER).
        indexes = [models.Index(Upper("email"), name="subscription_email_upper_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rhythm__in=Rhythm.values), name="subscription_rhythm_valid"
            ),
            # One subscription per address and search, one per address and county followed.
            models.UniqueConstraint(
                Upper("email"),
                "query",
                condition=Q(similar_to__isnull=True),
                name="subscription_once_per_search",
            ),
            models.UniqueConstraint(
                Upper("email"),
                "similar_to",
                condition=Q(similar_to__isnull=False),
                name="subscription_once_per_county",
            ),
        ]

    def __str__(self):
        return self.email


class DigestEntry(models.Model):
    """What a digest reported: a programme at the moment of its publication or substantial
    update. A programme is reported once per such moment, whatever happens to a run."""

    subscription = models.ForeignKey(
        SearchSubscription,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("saved search"),
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    changed_at = models.DateTimeField(_("published or updated"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "programme", "changed_at"], name="digest_entry_once"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id}: {self.programme_id} ({self.changed_at:%Y-%m-%d})"
