"""Write rules for programmes: the review workflow, confirmations and their e-mails.

Views, admin actions and commands all call these functions; none of this lives in save().
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import County
from portal import mail
from portal.links import absolute
from portal.roles import CURATE_PERMISSION, REVIEW_PERMISSION, county_ids, is_editor

from .enums import PublicationState as State
from .history import saved_with_one_record
from .models import Programme
from .search import deferred_updates

logger = logging.getLogger(__name__)


class WorkflowError(Exception):
    """A transition that the programme's current state does not allow."""


# Which states each transition starts from.
TRANSITIONS = {
    "submit": {State.DRAFT, State.CHANGES_REQUESTED},
    "publish": {State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.ARCHIVED},
    "request_changes": {State.SUBMITTED},
    "archive": {State.PUBLISHED},
}


def _check(programme, transition):
    if programme.publication_state not in TRANSITIONS[transition]:
        raise WorkflowError(
            _("This step is not possible while the programme is “%(state)s”.")
            % {"state": programme.get_publication_state_display()}
        )


def may_edit(user, programme):
    return is_editor(user) or programme.county_id in county_ids(user)


def _require(user, allowed):
    if not allowed:
        raise PermissionDenied


def _admin_link(programme):
    return absolute(reverse("admin:programmes_programme_change", args=[programme.pk]))


def _mail(*, subject, template, recipients, programme, on_mail_failure=None, **context):
    """Send once the transaction has committed: a state change never waits for, or falls
    with, the mail server. A failure is logged and reported through `on_mail_failure`."""
    addresses = sorted({user.email for user in recipients if user.email})
    if not addresses:
        return
    body = render_to_string(
        f"programmes/email/{template}.txt",
        {"programme": programme, "link": _admin_link(programme), **context},
    )
    messages = [mail.message(subject, body, [address]) for address in addresses]

    def deliver():
        try:
            mail.send(messages)
        except Exception:  # the mail server's many ways to fail: none may undo the step
            logger.exception("Mail %r about programme %s was not sent", template, programme.pk)
            if on_mail_failure is not None:
                on_mail_failure()

    transaction.on_commit(deliver)


def editors():
    User = get_user_model()
    perm = Q(groups__permissions__codename="review_programme") | Q(
        user_permissions__codename="review_programme"
    )
    return User.objects.filter(perm, is_active=True).distinct()


def county_staff(county):
    User = get_user_model()
    return User.objects.filter(county_memberships__county=county, is_active=True).distinct()


def _save(programme, user, fields, reason):
    programme._change_reason = reason
    programme._history_user = user
    programme.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def programme_submit(*, programme, user, on_mail_failure=None):
    _require(user, may_edit(user, programme))
    _check(programme, "submit")
    if programme.is_adapted and not programme.adaptation_note.strip():
        raise WorkflowError(
            _(
                "Please say in “What your county changed” how your programme differs from "
                "the one you took over, then submit it."
            )
        )
    revised = programme.publication_state == State.CHANGES_REQUESTED
    programme.publication_state = State.SUBMITTED
    _save(programme, user, ["publication_state"], _("Submitted for review"))
    _mail(
        subject=(
            _("Revised programme to review: %(title)s")
            if revised
            else _("New programme to review: %(title)s")
        )
        % {"title": programme.title},
        template="submitted",
        recipients=editors(),
        programme=programme,
        on_mail_failure=on_mail_failure,
        user=user,
    )
    return programme


@transaction.atomic
def programme_publish(*, programme, user, now=None, on_mail_failure=None):
    _require(user, user.has_perm(REVIEW_PERMISSION))
    _check(programme, "publish")
    now = now or timezone.now()
    first_time = programme.published_at is None
    programme.publication_state = State.PUBLISHED
    programme.review_comment = ""
    programme.published_at = programme.published_at or now
    programme.last_confirmed_at = now
    _save(
        programme,
        user,
        ["publication_state", "review_comment", "published_at", "last_confirmed_at"],
        _("Published"),
    )
    _mail(
        subject=_("Your programme has been published: %(title)s") % {"title": programme.title},
        template="published",
        recipients=county_staff(programme.county),
        programme=programme,
        on_mail_failure=on_mail_failure,
    )
    source = programme.adapted_from
    if first_time and source is not None and source.county_id != programme.county_id:
        _mail(
            subject=_("Your practice has been taken over: %(title)s") % {"title": source.title},
            template="adopted",
            recipients=county_staff(source.county),
            programme=source,
            adoption=programme,
            adoption_link=absolute(programme.get_absolute_url()),
        )
    return programme


@transaction.atomic
def programme_request_changes(*, programme, user, comment, on_mail_failure=None):
    _require(user, user.has_perm(REVIEW_PERMISSION))
    _check(programme, "request_changes")
    if not comment.strip():
        raise WorkflowError(_("Please say what should be changed."))
    programme.publication_state = State.CHANGES_REQUESTED
    programme.review_comment = comment.strip()
    _save(programme, user, ["publication_state", "review_comment"], _("Changes requested"))
    _mail(
        subject=_("Please revise your programme: %(title)s") % {"title": programme.title},
        template="changes_requested",
        recipients=county_staff(programme.county),
        programme=programme,
        on_mail_failure=on_mail_failure,
        comment=programme.review_comment,
    )
    return programme


@transaction.atomic
def programme_archive(*, programme, user):
    _require(user, user.has_perm(REVIEW_PERMISSION))
    _check(programme, "archive")
    programme.publication_state = State.ARCHIVED
    _save(programme, user, ["publication_state"], _("Archived"))
    return programme


def programme_confirm(*, programme, user, now=None):
    """Staff say "still current" without editing. Bookkeeping only: no history record."""
    _require(user, may_edit(user, programme))
    programme.last_confirmed_at = now or timezone.now()
    programme.reminder_sent_at = None
    programme.save_without_historical_record(
        update_fields=["last_confirmed_at", "reminder_sent_at"]
    )
    return programme


def may_curate(user):
    return user.has_perm(CURATE_PERMISSION)


# What a programme taken over from another county starts with: its classification and texts
# as a starting point, never its contact, figures, image, documents or editors' decisions.
ADOPTED_TEXTS = ["summary", "description", "goals"]
ADOPTED_FIELDS = [*ADOPTED_TEXTS, "partner_names", "status"]


def adoptable_counties(user, programme):
    """The counties into which `user` may take `programme` over: their own, not its own."""
    if not programme.is_published:
        return County.objects.none()
    return County.objects.filter(pk__in=county_ids(user)).exclude(pk=programme.county_id)


@transaction.atomic
def programme_adopt(*, programme, county, user):
    """A draft in `county`, pre-filled from another county's published programme and linked
    to it. Nothing about the source changes."""
    if not adoptable_counties(user, programme).filter(pk=county.pk).exists():
        raise PermissionDenied
    adopted = Programme(
        county=county,
        title=programme.title,
        slug=Programme.objects.free_slug(f"{programme.slug}-{county.slug}"[:200]),
        adapted_from=programme,
        adapted_from_title=programme.title,
        adapted_from_county=programme.county.name,
        publication_state=State.DRAFT,
        **{name: getattr(programme, name) for name in ADOPTED_FIELDS},
    )
    adopted._change_reason = _("Taken over from %(title)s (%(county)s)") % {
        "title": programme.title,
        "county": programme.county.name,
    }
    adopted._history_user = user
    # One history record, with the relations; one search document, written at the end.
    with deferred_updates(), saved_with_one_record(adopted, "+"):
        adopted.save()
        adopted.fields_of_action.set(programme.fields_of_action.all())
        adopted.target_groups.set(programme.target_groups.all())
        adopted.partner_kinds.set(programme.partner_kinds.all())
        adopted.keywords.set(list(programme.keywords.all()))
    return adopted
