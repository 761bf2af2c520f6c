"""Write rules for county profiles."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.roles import county_ids, is_editor


def county_confirm(*, county, user, now=None):
    """Staff say "still current" without editing. Bookkeeping only: no history record."""
    if not (is_editor(user) or county.pk in county_ids(user)):
        raise PermissionDenied
    county.last_confirmed_at = now or timezone.now()
    county.reminder_sent_at = None
    county.save_without_historical_record(update_fields=["last_confirmed_at", "reminder_sent_at"])
    return county
