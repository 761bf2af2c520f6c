"""Best-practice profiles: what made a programme work, its transferability card (staff,
costs, time to start) and indicators, and the editors' recognition and featuring."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from counties.models import YEAR_VALIDATORS
from portal.roles import county_ids, is_editor

from ..enums import PublicationState
from .programmes import Programme, featured_profile
from .terms import PartnerKind, StaffRole


class IndicatorSnapshot(models.Model):
    """The indicators of a best-practice profile, kept with each of its versions."""

    indicators_snapshot = models.TextField(_("indicators"), blank=True, default="")
    indicators_data = models.JSONField(
        _("indicators (rows)"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


BEST_PRACTICE_HISTORY = HistoricalRecords(
    bases=[IndicatorSnapshot], m2m_fields=["staff_roles", "required_partners"]
)


# The bounds of the cost ranges shown where staff prefer not to name an amount.
COST_BOUNDS = [0, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000]


def cost_range(value):
    """(lower, upper) of the range holding `value`; upper is None above the last bound."""
    for lower, upper in zip(COST_BOUNDS, COST_BOUNDS[1:], strict=False):
        if value < upper:
            return lower, upper
    return COST_BOUNDS[-1], None


def shown_cost(amount, as_range):
    """A cost as the public sees it, (lower, upper): the amount twice, or its range where
    staff prefer; None without an amount. Pages and open data both show it so."""
    if amount is None:
        return None
    return cost_range(amount) if as_range else (amount, amount)


class BestPracticeQuerySet(models.QuerySet):
    def published(self):
        """Recognised by the editors, of a published programme: what the public sees."""
        return self.filter(
            is_recognised=True, programme__publication_state=PublicationState.PUBLISHED
        )

    def editable_by(self, user):
        if is_editor(user):
            return self
        return self.filter(programme__county_id__in=county_ids(user))

    def featured(self, *, today=None):
        """Featured by the editors, still within the featuring period, in rank order;
        among equal ranks the most recently published first."""
        return (
            self.published()
            .filter(featured_profile(today=today))
            .order_by("featured_rank", "-programme__published_at", "programme__title")
        )


class BestPracticeProfile(models.Model):
    """What other counties need to learn from a programme, in the order of the DLT study."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        related_name="best_practice",
        verbose_name=_("programme"),
    )
    starting_situation = models.TextField(_("starting situation"), help_text=_("Markdown."))
    approach = models.TextField(_("approach"), help_text=_("What the county did, with whom."))
    results = models.TextField(_("results and impact"), help_text=_("With figures where possible."))
    success_factors = models.TextField(_("success factors"))
    obstacles = models.TextField(
        _("obstacles and lessons learned"), help_text=_("What would you do differently today?")
    )
    transfer_staff = models.TextField(_("staff needed"))
    transfer_money = models.TextField(_("money needed"))
    transfer_partners = models.TextField(_("partners needed"))
    transfer_time = models.TextField(_("time to start"))
    # The transferability card: facts another county can filter by, beside the prose above.
    staff_fte = models.DecimalField(
        _("staff in full-time equivalents"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("E.g. 0.5 for a half-time position."),
    )
    staff_roles = models.ManyToManyField(
        StaffRole, related_name="profiles", blank=True, verbose_name=_("roles of the staff")
    )
    setup_cost = models.DecimalField(
        _("one-off setup cost in euros"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    running_cost = models.DecimalField(
        _("annual running cost in euros"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    costs_as_range = models.BooleanField(
        _("show costs as ranges"),
        default=False,
        help_text=_("Public pages and open data then show e.g. “10.000–25.000 €”."),
    )
    depends_on_funding = models.BooleanField(
        _("depends on funding that may end"), null=True, blank=True
    )
    months_to_start = models.PositiveSmallIntegerField(
        _("months from decision to start"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
    )
    required_partners = models.ManyToManyField(
        PartnerKind,
        related_name="required_by",
        blank=True,
        verbose_name=_("partners that must take part"),
    )
    preconditions = models.CharField(
        _("preconditions"),
        max_length=500,
        blank=True,
        help_text=_("Short: what must be in place before starting."),
    )
    works_without_city = models.BooleanField(
        _("works without a large city nearby"), null=True, blank=True
    )
    is_recognised = models.BooleanField(
        _("recognised as best practice"),
        default=False,
        help_text=_("Set by the editors: only recognised profiles appear as best practices."),
    )
    editors_statement = models.TextField(
        _("why the editors chose it"),
        blank=True,
        help_text=_("A short public statement, shown with the featured badge."),
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Featured examples lead the home page.")
    )
    featured_rank = models.PositiveSmallIntegerField(
        _("rank among featured"), default=100, help_text=_("1 comes first.")
    )
    featured_until = models.DateField(
        _("featured until"),
        null=True,
        blank=True,
        help_text=_("Optional: after this day the example is no longer featured."),
    )

    objects = BestPracticeQuerySet.as_manager()
    history = BEST_PRACTICE_HISTORY

    class Meta:
        verbose_name = _("best-practice profile")
        verbose_name_plural = _("best-practice profiles")
        ordering = ["featured_rank", "programme__title"]
        permissions = [
            ("curate_bestpracticeprofile", _("Can recognise and feature best practices"))
        ]
        indexes = [
            # The home page asks for the few featured ones among thousands of profiles.
            models.Index(
                fields=["featured_rank"], condition=Q(is_featured=True), name="profile_featured_idx"
            ),
        ]

    def __str__(self):
        return str(self.programme)

    def get_absolute_url(self):
        return self.programme.get_absolute_url() + "#praxisbeispiel"

    @property
    def setup_cost_shown(self):
        return shown_cost(self.setup_cost, self.costs_as_range)

    @property
    def running_cost_shown(self):
        return shown_cost(self.running_cost, self.costs_as_range)

    @property
    def transfer_items(self):
        return [
            (_("Staff"), self.transfer_staff),
            (_("Money"), self.transfer_money),
            (_("Partners"), self.transfer_partners),
            (_("Time to start"), self.transfer_time),
        ]


class Indicator(models.Model):
    profile = models.ForeignKey(
        BestPracticeProfile,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("best-practice profile"),
    )
    name = models.CharField(_("indicator"), max_length=120)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name}: {floatformat(self.value, '-2g')} {self.unit}".strip()
