"""Questions and study-visit requests between counties: write rules and their e-mails.

A request reaches the people who run a programme through the portal, and their answer goes
back the same way: neither side learns the other's address from it. Someone without a staff
account confirms their address first (double opt-in); county staff send under their county's
name. Requests are personal data, kept until a year after they were closed."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import limits, mail
from portal.cache import bump
from portal.links import absolute
from portal.roles import county_ids

from .models import ContactReply, ContactRequest, RequestKind, RequestState
from .services import county_staff

CONFIRMATION_HOURS = 48
REMINDER_DAYS = 7
# An answered request nobody closed counts as done after this many days.
ANSWERED_CLOSE_DAYS = 90
KEEP_DAYS = 365
# At most this many requests per hour from one address, one IP address or one staff account.
LIMITS = {"address": 3, "ip": 5, "user": 10}


class RequestError(Exception):
    """A step that the request's state does not allow; the message is for the person."""


def may_be_asked(programme):
    """Only published programmes with a contact person take requests."""
    return programme.is_published and bool(programme.contact_email)


def over_limit(kind, key):
    """Count one more request for `key`; True once the hourly limit LIMITS[kind] is passed."""
    return limits.over_limit(f"request-{kind}", key, LIMITS[kind])


def _staff_link(item):
    return absolute(reverse("admin:programmes_contactrequest_change", args=[item.pk]))


def _send_after_commit(messages):
    """Mails leave once the request is stored; a mail server that fails is logged and never
    undoes the stored request (an unconfirmed one is deleted after 48 hours)."""
    mail.send_after_commit(messages)


@transaction.atomic
def create_request(*, programme, data, user=None):
    """A new request from the cleaned form data. County staff: delivered at once, under
    their county's name. Anyone else: stored unconfirmed, with a confirmation mail."""
    if not may_be_asked(programme):
        raise RequestError(_("This programme does not take requests."))
    item = ContactRequest(
        programme=programme,
        kind=data["kind"],
        message=data["message"],
        proposed_dates=data.get("proposed_dates") or "",
        visitors=data.get("visitors") if data["kind"] == RequestKind.VISIT else None,
    )
    if user is not None and user.is_authenticated and data.get("sender_county"):
        county = data["sender_county"]
        if county.pk not in county_ids(user):
            raise PermissionDenied
        item.sender_county = county
        item.sender_user = user
        item.sender_name = user.get_full_name() or user.get_username()
        item.sender_organisation = county.name
        item.sender_email = user.email
        item.state = RequestState.OPEN
        item.confirmed_at = timezone.now()
        item.save()
        _deliver(item)
    else:
        item.sender_name = data["sender_name"]
        item.sender_organisation = data["sender_organisation"]
        item.sender_email = data["sender_email"]
        item.save()
        _send_confirmation(item)
    return item


def _send_confirmation(item):
    link = absolute(reverse("programmes:request-confirm", args=[item.token]))
    body = render_to_string(
        "programmes/email/request_confirm.txt",
        {"item": item, "link": link, "hours": CONFIRMATION_HOURS},
    )
    subject = _("Please confirm your request about “%(title)s”") % {"title": item.programme.title}
    _send_after_commit([mail.message(subject, body, [item.sender_email])])


def _recipients(programme):
    """The contact person and the county's staff, who answer in the staff area."""
    addresses = {programme.contact_email}
    addresses.update(user.email for user in county_staff(programme.county) if user.email)
    return sorted(address for address in addresses if address)


def _deliver(item):
    body = render_to_string(
        "programmes/email/request_delivered.txt", {"item": item, "link": _staff_link(item)}
    )
    subject = _("%(kind)s about “%(title)s” from %(sender)s") % {
        "kind": item.get_kind_display(),
        "title": item.programme.title,
        "sender": item.sender_organisation,
    }
    _send_after_commit(
        [mail.message(subject, body, [address]) for address in _recipients(item.programme)]
    )


def is_expired(item, now=None):
    now = now or timezone.now()
    return item.created_at < now - timedelta(hours=CONFIRMATION_HOURS)


def confirm_request(*, token):
    """Confirm an address: the request is delivered. Raises RequestError with a message
    for a link that is unknown, used before or expired (an expired request is deleted)."""
    with transaction.atomic():
        error = _confirm(token)
    if error:  # raised after the transaction, so that a deletion stays deleted
        raise RequestError(error)


def _confirm(token):
    item = (
        ContactRequest.objects.select_for_update()
        .select_related("programme__county")
        .filter(token=token)
        .first()
    )
    if item is None:
        return _("This confirmation link is not valid. It may have expired and been deleted.")
    if item.state != RequestState.UNCONFIRMED:
        return _("This request has already been confirmed and passed on.")
    if is_expired(item):
        item.delete()
        return _(
            "This confirmation link has expired after %(hours)d hours; the request has "
            "been deleted. Please send it again."
        ) % {"hours": CONFIRMATION_HOURS}
    if not may_be_asked(item.programme):
        item.delete()
        return _("The programme no longer takes requests; nothing was sent.")
    item.state = RequestState.OPEN
    item.confirmed_at = timezone.now()
    item.save(update_fields=["state", "confirmed_at"])
    _deliver(item)
    return None


def may_answer(user, item):
    return item.programme.county_id in county_ids(user)


@transaction.atomic
def answer_request(*, item, user, body):
    """Send the county's answer to the sender; the request is then "answered"."""
    if not may_answer(user, item):
        raise PermissionDenied
    if item.state == RequestState.UNCONFIRMED:
        raise RequestError(_("The sender has not confirmed this request yet."))
    if not body.strip():
        raise RequestError(_("Please write an answer."))
    reply = ContactReply.objects.create(request=item, author=user, body=body.strip())
    first_answer = item.answered_at is None
    item.state = RequestState.ANSWERED if item.state != RequestState.CLOSED else item.state
    item.answered_at = item.answered_at or timezone.now()
    item.save(update_fields=["state", "answered_at"])
    text = render_to_string(
        "programmes/email/request_answer.txt",
        {
            "item": item,
            "reply": reply,
            "link": absolute(item.programme.get_absolute_url()),
            "answerer": item.programme.county.name,
        },
    )
    subject = _("Answer from %(county)s: %(title)s") % {
        "county": item.programme.county.name,
        "title": item.programme.title,
    }
    _send_after_commit([mail.message(subject, text, [item.sender_email])])
    if first_answer:
        bump()  # the programme page counts the county's answered requests
    return reply


@transaction.atomic
def set_state(*, item, user, state):
    if not may_answer(user, item):
        raise PermissionDenied
    if state not in (RequestState.OPEN, RequestState.ANSWERED, RequestState.CLOSED):
        raise RequestError(_("This state cannot be chosen."))
    if item.state == RequestState.UNCONFIRMED:
        raise RequestError(_("The sender has not confirmed this request yet."))
    if state == RequestState.ANSWERED and item.answered_at is None:
        raise RequestError(_("Write an answer first; it is then marked as answered."))
    item.state = state
    item.closed_at = timezone.now() if state == RequestState.CLOSED else None
    item.save(update_fields=["state", "closed_at"])
    return item


def send_reminders(*, now=None):
    """Remind the county of requests open for a week without an answer; once each."""
    now = now or timezone.now()
    due = ContactRequest.objects.filter(
        state=RequestState.OPEN,
        confirmed_at__lt=now - timedelta(days=REMINDER_DAYS),
        reminder_sent_at__isnull=True,
    ).select_related("programme__county")
    messages = []
    for item in due:
        body = render_to_string(
            "programmes/email/request_reminder.txt",
            {"item": item, "link": _staff_link(item), "days": REMINDER_DAYS},
        )
        subject = _("Still unanswered: %(kind)s about “%(title)s”") % {
            "kind": item.get_kind_display(),
            "title": item.programme.title,
        }
        messages += [mail.message(subject, body, [a]) for a in _recipients(item.programme)]
    mail.send(messages)
    return due.update(reminder_sent_at=now)


@transaction.atomic
def purge(*, now=None):
    """Delete what the privacy policy promises to delete: requests closed more than a year
    ago (with their answers), unconfirmed ones whose link expired. Answered requests nobody
    closed are closed after ANSWERED_CLOSE_DAYS. Returns (closed, deleted)."""
    now = now or timezone.now()
    closed = ContactRequest.objects.filter(
        state=RequestState.ANSWERED, answered_at__lt=now - timedelta(days=ANSWERED_CLOSE_DAYS)
    ).update(state=RequestState.CLOSED, closed_at=now)
    old = ContactRequest.objects.filter(
        state=RequestState.CLOSED, closed_at__lt=now - timedelta(days=KEEP_DAYS)
    )
    expired = ContactRequest.objects.filter(
        state=RequestState.UNCONFIRMED,
        created_at__lt=now - timedelta(hours=CONFIRMATION_HOURS),
    )
    deleted = old.delete()[1].get(ContactRequest._meta.label, 0)
    deleted += expired.delete()[1].get(ContactRequest._meta.label, 0)
    return closed, deleted
