"""What the admin's start page shows each kind of staff."""

from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from counties.models import County
from portal.roles import is_editor

from .enums import PublicationState
from .history import changes_of_pairs
from .models import Programme

RECENT_DAYS = 30
LIST_LIMIT = 20


def recent_changes(user, *, now=None):
    """Edits to published programmes, with what they changed: the editors' watch list."""
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    earlier = Programme.history.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    records = list(
        Programme.history.filter(history_date__gte=since, history_type="~")
        .filter(publication_state=PublicationState.PUBLISHED)
        .annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
        .select_related("history_user")
        .order_by("-history_date")[:LIST_LIMIT]
    )
    previous = Programme.history.in_bulk([r.previous_id for r in records if r.previous_id])
    pairs = [(record, previous.get(record.previous_id)) for record in records]
    return list(zip(records, changes_of_pairs(pairs), strict=True))


def _stale_limit(now=None):
    return (now or timezone.now()) - timedelta(days=settings.CONFIRMATION_STALE_DAYS)


def dashboard(user, *, now=None):
    programmes = Programme.objects.editable_by(user).select_related("county")
    limit = _stale_limit(now)
    context = {
        "is_editor": is_editor(user),
        "may_edit_programmes": user.has_perm("programmes.change_programme"),
        "stale_programmes": programmes.unconfirmed_since(limit)[:LIST_LIMIT],
        "stale_counties": County.objects.editable_by(user)
        .filter(last_confirmed_at__lt=limit)
        .order_by("last_confirmed_at")[:LIST_LIMIT],
    }
    if context["is_editor"]:
        context["review_queue"] = programmes.awaiting_review().order_by("updated_at")
        context["recent_changes"] = recent_changes(user, now=now)
    else:
        context["my_open"] = programmes.filter(
            publication_state__in=[
                PublicationState.DRAFT,
                PublicationState.CHANGES_REQUESTED,
                PublicationState.SUBMITTED,
            ]
        ).order_by("-updated_at")[:LIST_LIMIT]
    return context
