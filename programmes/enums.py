from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeStatus(models.TextChoices):
    """Where the programme stands in its own life, independent of publication."""

    PLANNED = "planned", _("planned")
    RUNNING = "running", _("running")
    ENDED = "ended", _("ended")
    PERMANENT = "permanent", _("permanent service")


class PublicationState(models.TextChoices):
    """The review workflow: county staff write and submit, the editors publish."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class FundingLevel(models.TextChoices):
    COUNTY = "county", _("county / municipality")
    STATE = "state", _("state")
    FEDERAL = "federal", _("federal government")
    EU = "eu", _("EU")
    FOUNDATION = "foundation", _("foundation")
    BUSINESS = "business", _("business")
    DONATIONS = "donations", _("donations")
