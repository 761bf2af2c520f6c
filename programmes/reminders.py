"""Twelve months after the last confirmation, county staff are asked to confirm again."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import County
from portal import mail

from .models import Programme
from .services import county_staff


def _due(now):
    limit = now - timedelta(days=settings.CONFIRMATION_REMINDER_DAYS)
    programmes = Programme.objects.unconfirmed_since(limit).filter(reminder_sent_at__isnull=True)
    counties = County.objects.filter(last_confirmed_at__lt=limit, reminder_sent_at__isnull=True)
    return programmes.select_related("county"), counties


@transaction.atomic
def send_confirmation_reminders(*, now=None):
    """One e-mail per county with everything due; returns how many e-mails went out."""
    now = now or timezone.now()
    programmes, counties = _due(now)
    due = defaultdict(lambda: {"programmes": [], "profile": False})
    for programme in programmes:
        due[programme.county]["programmes"].append(programme)
    for county in counties:
        due[county]["profile"] = True
    sent = 0
    for county, items in due.items():
        addresses = sorted({user.email for user in county_staff(county) if user.email})
        if addresses:
            body = render_to_string(
                "programmes/email/reminder.txt",
                {
                    "county": county,
                    "base": settings.PORTAL_BASE_URL,
                    "admin_url": reverse("admin:index"),
                    **items,
                },
            )
            subject = _("Please confirm that your entries are current")
            mail.send([mail.message(subject, body, addresses)])
            sent += 1
    programmes.update(reminder_sent_at=now)  # bookkeeping, not content: no history needed
    counties.update(reminder_sent_at=now)
    return sent
