"""Saved searches ("Suchaufträge") and their e-mail digests.

Anyone can save the list's current filters with an e-mail address and a rhythm; nothing is
sent until the address is confirmed by a link (double opt-in), and unconfirmed ones are
deleted after CONFIRM_DAYS. County staff can follow the counties like theirs in one click,
with the address of their account. `send_digests` (cron) mails each due subscription the
programmes that were published, or substantially updated, since it was confirmed and that
it has not reported yet: each report is recorded in the same transaction as the mail
leaves, so a second run, or one after a crash, neither repeats nor skips a programme.
Every digest carries a one-click unsubscribe link and the List-Unsubscribe headers of
RFC 8058."""

import logging
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import limits, mail
from portal.links import absolute
from portal.listing import describe_filters

from .filters import ProgrammeFilter, canonical_query
from .models import DigestEntry, Programme, Rhythm, SearchSubscription
from .neighbours import similar_taking_part

logger = logging.getLogger(__name__)

CONFIRM_DAYS = 7
PERIODS = {Rhythm.WEEKLY: timedelta(days=7), Rhythm.MONTHLY: timedelta(days=30)}
# A daily cron job that runs a little earlier than last week still sends.
SLACK = timedelta(hours=3)
# At most this many subscriptions per address, and new ones per hour per address and IP.
MAX_PER_ADDRESS = 20
LIMITS = {"subscription-address": 3, "subscription-ip": 10}
# A digest lists at most this many programmes; the rest follow in the next one.
DIGEST_MAX = 30
MANAGE_SALT = "programmes.digests.manage"
MANAGE_DAYS = 30
QUERY_MAX_LENGTH = 2000


class SubscriptionError(Exception):
    """A step the subscription does not allow; the message is for the person."""


def is_limited(kind, key):
    return limits.over_limit(kind, key, LIMITS[kind])


# What is searched -------------------------------------------------------------------


def clean_query(data):
    """The list's filters and search from a query string (programmes.filters)."""
    text = canonical_query(data)
    if len(text) > QUERY_MAX_LENGTH:
        raise SubscriptionError(_("This search is too long to be saved."))
    return text


def _filterset(subscription):
    filterset = ProgrammeFilter(
        QueryDict(subscription.query), queryset=Programme.objects.published()
    )
    filterset.is_valid()
    return filterset


def describe(subscription, typed_words=True):
    """The search in words, for pages and mails. Without `typed_words` the search term is
    not quoted: a mail to an address nobody has confirmed yet carries none of the words
    that whoever filled in the form chose."""
    if subscription.similar_to_id:
        return _("Counties like %(name)s") % {"name": subscription.similar_to.name}
    query = QueryDict(subscription.query, mutable=True)
    parts = []
    if not typed_words and query.pop("q", None):
        parts.append(_("a search term"))
    filterset = ProgrammeFilter(query, queryset=Programme.objects.published())
    filterset.is_valid()
    parts.append(describe_filters(filterset, query))
    return " · ".join(part for part in parts if part) or _("All programmes")


def list_url(subscription):
    if subscription.similar_to_id:
        return absolute(f"{reverse('programmes:comparable')}?kreis={subscription.similar_to.slug}")
    query = f"?{subscription.query}" if subscription.query else ""
    return absolute(f"{reverse('programmes:programme-list')}{query}")


def _matching(subscription):
    """The published programmes the subscription's search finds, as a queryset."""
    if subscription.similar_to_id:
        similar = similar_taking_part(subscription.similar_to)
        return Programme.objects.published().filter(county__in=similar)
    return _filterset(subscription).qs


def changes(subscription, limit=DIGEST_MAX):
    """The programmes published or substantially updated since the subscription was
    confirmed that it has not reported at that state, oldest change first."""
    since = subscription.confirmed_at
    # The search narrows a subquery: its matches are never read into Python.
    matching = _matching(subscription).filter(
        Q(published_at__gt=since) | Q(substantially_updated_at__gt=since)
    )
    # The latest of the two moments: an update is only ever noted after the publication.
    changed = Coalesce("substantially_updated_at", "published_at")
    reported = DigestEntry.objects.filter(
        subscription=subscription, programme=OuterRef("pk"), changed_at=OuterRef("changed")
    )
    return list(
        Programme.objects.filter(pk__in=matching.values("pk"))
        .annotate(changed=changed)
        .exclude(Exists(reported))
        .select_related("county")
        .only("pk", "slug", "title", "summary", "published_at", "substantially_updated_at",
              "county__name")
        .order_by("changed", "pk")[:limit]
    )  # fmt: skip


# Subscribing ------------------------------------------------------------------------


def _unsubscribe_url(subscription):
    return absolute(reverse("programmes:subscription-end", args=[subscription.token]))


def manage_url(email):
    # sign_object writes URL-safe base64: any address fits into the path.
    value = signing.TimestampSigner(salt=MANAGE_SALT).sign_object(email.strip().lower())
    return absolute(reverse("programmes:subscriptions-manage", args=[value]))


def email_from_manage_value(value):
    """The address a manage link was made for; SubscriptionError if forged or too old."""
    try:
        email = signing.TimestampSigner(salt=MANAGE_SALT).unsign_object(
            value, max_age=timedelta(days=MANAGE_DAYS)
        )
    except signing.SignatureExpired as expired:
        raise SubscriptionError(
            _("This link has expired. Please ask for a new one below.")
        ) from expired
    except (signing.BadSignature, ValueError) as bad:
        raise SubscriptionError(
            _("This link is not valid. Please ask for a new one below.")
        ) from bad
    if not isinstance(email, str):
        raise SubscriptionError(_("This link is not valid. Please ask for a new one below."))
    return email


def _message(subject, template, context, to, subscription=None):
    context = {**context, "subject": subject}
    headers = {}
    if subscription is not None:
        context["unsubscribe_url"] = _unsubscribe_url(subscription)
        context["manage_url"] = manage_url(subscription.email)
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    text = render_to_string(f"programmes/email/{template}.txt", context)
    html = render_to_string(f"programmes/email/{template}.html", context)
    return mail.message(subject, text, to, html=html, headers=headers)


def _existing(email, query, similar_to):
    return SearchSubscription.objects.filter(
        email__iexact=email, query=query, similar_to=similar_to
    ).first()


@transaction.atomic
def subscribe(*, email, query, rhythm, on_mail_failure=None):
    """A new saved search, unconfirmed, with a confirmation mail. Asking again for the same
    search resends the confirmation (with a new link once the old one expired), or mails
    the address that it exists: the page does not tell whether an address had subscribed
    to a search before."""
    email = email.strip()
    existing = _existing(email, query, None)
    if existing is not None and is_expired(existing):
        existing.delete()
        existing = None
    if existing is not None and existing.confirmed_at is not None:
        subject = _("Your saved search already exists")
        context = {"subscription": existing, "description": describe(existing, typed_words=False)}
        mail.send_after_commit(
            [_message(subject, "subscription_exists", context, [email], subscription=existing)],
            on_mail_failure,
        )
        return existing
    if existing is None:
        count = SearchSubscription.objects.filter(email__iexact=email).count()
        if count >= MAX_PER_ADDRESS:
            raise SubscriptionError(
                _("This address already has %(max)s saved searches. Please end one first.")
                % {"max": MAX_PER_ADDRESS}
            )
        try:
            with transaction.atomic():
                existing = SearchSubscription.objects.create(
                    email=email, query=query, rhythm=rhythm
                )
        except IntegrityError:  # the same form sent twice at once: the first one stands
            existing = _existing(email, query, None)
    else:
        existing.rhythm = rhythm
        existing.save(update_fields=["rhythm"])
    context = {
        "subscription": existing,
        "description": describe(existing, typed_words=False),
        "link": absolute(reverse("programmes:subscription-confirm", args=[existing.token])),
        "days": CONFIRM_DAYS,
    }
    subject = _("Please confirm your saved search")
    mail.send_after_commit(
        [_message(subject, "subscription_confirm", context, [email])], on_mail_failure
    )
    return existing


def is_expired(subscription, now=None):
    now = now or timezone.now()
    return subscription.confirmed_at is None and (
        subscription.created_at < now - timedelta(days=CONFIRM_DAYS)
    )


def confirm(*, token):
    subscription = SearchSubscription.objects.filter(token=token).first()
    if subscription is None:
        raise SubscriptionError(
            _("This confirmation link is not valid. It may have expired and been deleted.")
        )
    if subscription.confirmed_at is not None:
        raise SubscriptionError(_("This saved search has already been confirmed."))
    if is_expired(subscription):
        subscription.delete()
        raise SubscriptionError(
            _("This confirmation link has expired. Please save the search again.")
        )
    # One statement: of two clicks at once, one confirms and the other is told so.
    now = timezone.now()
    if not SearchSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=now
    ):
        raise SubscriptionError(_("This saved search has already been confirmed."))
    subscription.confirmed_at = now
    return subscription


def end(*, token):
    """End one subscription; True if there was one."""
    deleted, _rows = SearchSubscription.objects.filter(token=token).delete()
    return bool(deleted)


@transaction.atomic
def follow_similar(*, user, county, rhythm=Rhythm.WEEKLY):
    """County staff follow the counties like theirs, with their account's address, which
    their login has already proven: no confirmation mail."""
    if not user.email:
        raise SubscriptionError(
            _("Your account has no e-mail address. Please ask an administrator to add one.")
        )
    existing = _existing(user.email, "", county)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            subscription = SearchSubscription.objects.create(
                email=user.email,
                similar_to=county,
                user=user,
                rhythm=rhythm,
                confirmed_at=timezone.now(),
            )
    except IntegrityError:  # two clicks at once
        return _existing(user.email, "", county), False
    return subscription, True


def send_manage_link(email):
    """A link to the page that lists and ends an address's subscriptions, sent only if the
    address has any. Raises what the mail server raises."""
    email = email.strip()
    if SearchSubscription.objects.filter(email__iexact=email).exists():
        context = {"link": manage_url(email), "days": MANAGE_DAYS}
        mail.send(
            [
                _message(
                    _("Your saved searches at Kreise für Integration"),
                    "subscription_manage",
                    context,
                    [email],
                )
            ]
        )


def purge_unconfirmed(*, now=None):
    now = now or timezone.now()
    deleted, _rows = SearchSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - timedelta(days=CONFIRM_DAYS)
    ).delete()
    return deleted


# Digests ----------------------------------------------------------------------------


def is_due(subscription, now):
    start = subscription.last_checked_at or subscription.confirmed_at
    return now >= start + PERIODS[subscription.rhythm] - SLACK


def _digest_message(subscription, items, more):
    since = subscription.last_checked_at or subscription.confirmed_at
    description = describe(subscription)
    for item in items:
        item.is_new = item.substantially_updated_at is None or (
            item.published_at is not None and item.published_at > since
        )
        item.url = absolute(item.get_absolute_url())
    subject = _("New in your saved search: %(search)s") % {"search": description}
    context = {
        "description": description,
        "items": items,
        "since": since,
        "list_url": list_url(subscription),
        "more": more,
    }
    return _message(subject, "digest", context, [subscription.email], subscription=subscription)


def send_one(subscription_id, *, now, every=False):
    """Check one subscription and mail its digest, if there is anything new. The record of
    what was reported and the mail go together: if the mail server fails, the transaction
    rolls back and the next run reports the same programmes."""
    with transaction.atomic():
        subscription = (
            SearchSubscription.objects.select_for_update(of=("self",))
            .select_related("similar_to")
            .filter(pk=subscription_id, confirmed_at__isnull=False)
            .first()
        )
        if subscription is None or not (every or is_due(subscription, now)):
            return 0
        items = changes(subscription, limit=DIGEST_MAX + 1)
        more = len(items) > DIGEST_MAX
        items = items[:DIGEST_MAX]
        if items:
            DigestEntry.objects.bulk_create(
                DigestEntry(subscription=subscription, programme=item, changed_at=item.changed)
                for item in items
            )
            subscription.last_sent_at = now
            message = _digest_message(subscription, items, more)
        subscription.last_checked_at = now
        subscription.save(update_fields=["last_checked_at", "last_sent_at"])
        if items:
            mail.send([message])
        return len(items)


def send_digests(*, now=None, every=False):
    """Every due confirmed subscription (all, with `every`): returns (digests sent,
    programmes reported, failures)."""
    now = now or timezone.now()
    purge_unconfirmed(now=now)
    sent = reported = failed = 0
    subscriptions = SearchSubscription.objects.filter(confirmed_at__isnull=False).order_by("pk")
    for subscription in subscriptions.iterator():
        if not every and not is_due(subscription, now):
            continue
        try:
            count = send_one(subscription.pk, now=now, every=every)
        except Exception:  # the mail server's errors; the next run tries again
            logger.exception("Digest for saved search %s not sent", subscription.pk)
            failed += 1
            continue
        sent += bool(count)
        reported += count
    return sent, reported, failed
