import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower, Upper
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import Tag

from counties.models import YEAR_VALIDATORS, County
from portal.roles import county_ids, is_editor
from portal.text import german_slugify

from .enums import FundingLevel, ProgrammeStatus, PublicationState
from .validators import image_extension, validate_image, validate_pdf, validate_single_line

SUMMARY_MAX_LENGTH = 300


def image_path(instance, filename):
    # A fresh name with the extension of the format Pillow found, not the one uploaded.
    return f"programmes/{uuid.uuid4().hex}.{image_extension(instance.image)}"


class ControlledTerm(models.Model):
    """A term of a fixed list, created by a data migration and picked from checkboxes."""

    # The stable code of open data and of older addresses ("housing"), and the German word
    # of the portal's addresses and filters ("wohnen"); both stay when the name is edited.
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    address = models.SlugField(_("address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.address:
            self.address = german_slugify(self.name)[:60]
        super().save(*args, **kwargs)


class FieldOfActionQuerySet(models.QuerySet):
    def with_published_counts(self):
        # Grouped queries ignore Meta.ordering, so the order is restated here.
        return self.annotate(
            published_count=Count(
                "programmes", filter=Q(programmes__publication_state=PublicationState.PUBLISHED)
            )
        ).order_by("position", "name")


class FieldOfAction(ControlledTerm):
    """One of the six Handlungsfelder of the DLT study."""

    description = models.TextField(_("description"))

    objects = FieldOfActionQuerySet.as_manager()

    class Meta(ControlledTerm.Meta):
        verbose_name = _("field of action")
        verbose_name_plural = _("fields of action")

    def get_absolute_url(self):
        return reverse("programmes:field-detail", kwargs={"slug": self.address})


class TargetGroup(ControlledTerm):
    class Meta(ControlledTerm.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class PartnerKind(ControlledTerm):
    """A kind of actor that takes part, e.g. Jobcenter or Volkshochschule."""

    class Meta(ControlledTerm.Meta):
        verbose_name = _("kind of partner")
        verbose_name_plural = _("kinds of partners")


class StaffRole(ControlledTerm):
    """A kind of work a practice needs staff for, e.g. coordination or teaching."""

    class Meta(ControlledTerm.Meta):
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")


class KeywordSnapshot(models.Model):
    """Taggit's keywords are no plain many-to-many field, so django-simple-history cannot
    follow them; every historical programme keeps them as text instead. The fundings and
    documents edited in the same form are kept twice: as readable text for the diff, and
    as their rows (`*_data`) for a restore. NULL there: a record from before they were kept."""

    keywords_snapshot = models.TextField(_("keywords"), blank=True, default="")
    fundings_snapshot = models.TextField(_("fundings"), blank=True, default="")
    attachments_snapshot = models.TextField(_("attachments"), blank=True, default="")
    fundings_data = models.JSONField(_("fundings (rows)"), null=True, blank=True, editable=False)
    attachments_data = models.JSONField(
        _("attachments (rows)"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


class IndicatorSnapshot(models.Model):
    """The indicators of a best-practice profile, kept with each of its versions."""

    indicators_snapshot = models.TextField(_("indicators"), blank=True, default="")
    indicators_data = models.JSONField(
        _("indicators (rows)"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


# Kept at module level so that programmes.history can write a record itself (keywords).
PROGRAMME_HISTORY = HistoricalRecords(
    bases=[KeywordSnapshot],
    m2m_fields=["fields_of_action", "target_groups", "partner_kinds"],
    excluded_fields=[
        "last_confirmed_at",
        "reminder_sent_at",
        "updated_at",
        "substantially_updated_at",
    ],
)
BEST_PRACTICE_HISTORY = HistoricalRecords(
    bases=[IndicatorSnapshot], m2m_fields=["staff_roles", "required_partners"]
)


# The columns a programme card needs (the programme_card tag in portal_tags).
CARD_FIELDS = [
    "slug", "title", "summary", "status", "published_at", "publication_state", "image", "image_alt",
    # The county itself (with its Land) comes from the counties kept per content version
    # (programmes.terms.attach), not from a join in every list.
    "county",
    "best_practice__is_recognised", "best_practice__is_featured",
    # The two or three facts of the transferability card that a best-practice card shows.
    "best_practice__staff_fte", "best_practice__running_cost",
    "best_practice__costs_as_range", "best_practice__months_to_start",
]  # fmt: skip


def featured_profile(prefix="", today=None):
    """A recognised profile that the editors feature, still within the featuring period;
    `prefix` reaches the profile from another model ("best_practice__" from a programme)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}is_recognised": True, f"{prefix}is_featured": True}) & (
        Q(**{f"{prefix}featured_until__isnull": True})
        | Q(**{f"{prefix}featured_until__gte": today})
    )


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def for_county(self, county):
        return self.filter(county=county)

    def publicly_reachable(self):
        """Published ones, and archived ones whose address still answers with a notice."""
        return self.filter(
            publication_state__in=[PublicationState.PUBLISHED, PublicationState.ARCHIVED]
        )

    def editable_by(self, user):
        """Editors see every programme; county staff those of their own counties."""
        if is_editor(user):
            return self
        return self.filter(county_id__in=county_ids(user))

    def awaiting_review(self):
        return self.filter(publication_state=PublicationState.SUBMITTED)

    def unconfirmed_since(self, moment):
        """Published programmes nobody has confirmed (or edited) since `moment`."""
        return self.published().filter(
            Q(last_confirmed_at__lt=moment)
            | Q(last_confirmed_at__isnull=True, published_at__lt=moment)
        )

    def free_slug(self, wanted):
        """`wanted`, or the first of wanted-2, wanted-3 … that no programme uses."""
        slug, number = wanted, 2
        while self.filter(slug=slug).exists():
            slug, number = f"{wanted[:200]}-{number}", number + 1
        return slug

    def with_best_practice_flag(self):
        recognised = BestPracticeProfile.objects.filter(
            programme=OuterRef("pk"), is_recognised=True
        )
        return self.annotate(is_best_practice=Exists(recognised))

    def featured(self, *, today=None):
        """The published programmes of the featured practices, in the editors' order
        (BestPracticeQuerySet.featured), read from the programmes' side in one query."""
        return (
            self.published()
            .filter(featured_profile("best_practice__", today))
            .order_by("best_practice__featured_rank", "-published_at", "title")
        )

    def for_cards(self, *more):
        """What a programme card shows and no more (never the long texts or the search
        document), in one query; `more` fields where a page shows them (the editors' reason
        on the home page). The cards are complete once `programmes.terms.attach` has given
        them their fields of action and their counties, for all cards of a page in one
        statement."""
        return self.select_related("best_practice").only(*CARD_FIELDS, *more)


class Programme(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("county")
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(
        _("slug"), max_length=220, unique=True, help_text=_("Part of the address.")
    )
    summary = models.CharField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_("One or two sentences for lists and search results."),
    )
    description = models.TextField(
        _("description"), help_text=_("What the programme does. Markdown: paragraphs and lists.")
    )
    goals = models.TextField(_("goals"), blank=True, help_text=_("Markdown."))
    fields_of_action = models.ManyToManyField(
        FieldOfAction, related_name="programmes", verbose_name=_("fields of action")
    )
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="programmes", blank=True, verbose_name=_("target groups")
    )
    keywords = TaggableManager(
        verbose_name=_("keywords"),
        blank=True,
        help_text=_("Free keywords, separated by commas, e.g. Integrationskurs, Patenschaft."),
    )
    partner_kinds = models.ManyToManyField(
        PartnerKind, related_name="programmes", blank=True, verbose_name=_("kinds of partners")
    )
    partner_names = models.TextField(
        _("partners by name"), blank=True, help_text=_("E.g. Caritasverband, Kreisvolkshochschule.")
    )
    budget = models.DecimalField(
        _("yearly budget in euros"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProgrammeStatus.choices,
        default=ProgrammeStatus.RUNNING,
        help_text=_("Permanent service: the programme became a regular service of the county."),
    )
    reach = models.PositiveIntegerField(
        _("people reached"), null=True, blank=True, help_text=_("Optional: how many people.")
    )
    image = models.ImageField(
        _("image"),
        upload_to=image_path,
        blank=True,
        validators=[validate_image],
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=250,
        blank=True,
        help_text=_("Required with an image: what the image shows, for people who cannot see it."),
    )
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_role = models.CharField(_("role of the contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    publication_state = models.CharField(
        _("publication"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.DRAFT,
    )
    review_comment = models.TextField(
        _("comment of the editors"),
        blank=True,
        help_text=_("Why the editors sent the programme back; shown to county staff."),
    )
    last_confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When county staff last confirmed that the programme is current."),
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"), null=True, blank=True, editable=False
    )
    # Lineage: the programme of another county this one was taken over from. The source's
    # title and county are kept as text too, so that the line survives its deletion.
    adapted_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="adoptions",
        verbose_name=_("taken over from"),
    )
    adapted_from_title = models.CharField(
        _("title of the source"), max_length=200, blank=True, editable=False
    )
    adapted_from_county = models.CharField(
        _("county of the source"), max_length=200, blank=True, editable=False
    )
    adaptation_note = models.TextField(
        _("what your county changed"),
        blank=True,
        max_length=2000,
        help_text=_(
            "For a practice taken over from another county: what you do differently "
            "(required before submitting)."
        ),
    )
    is_demo = models.BooleanField(
        _("demo content"),
        default=False,
        editable=False,
        help_text=_("Invented example content loaded by load_demo."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    # Set when a published programme's texts or status change by more than a correction, or
    # when it is published again: such a change goes out in the saved searches' digests.
    substantially_updated_at = models.DateTimeField(
        _("substantially updated"), null=True, blank=True, editable=False
    )

    objects = ProgrammeQuerySet.as_manager()
    history = PROGRAMME_HISTORY

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-published_at", "title"]
        permissions = [("review_programme", _("Can review, publish and archive programmes"))]
        indexes = [
            # The demo notice asks on every page whether any demo programme exists.
            models.Index(fields=["is_demo"], condition=Q(is_demo=True), name="programme_demo_idx"),
            # Only the few programmes that are not published are worth an index (review queue,
            # drafts); for published ones, which are most, the search index and the order
            # index below are the way in.
            models.Index(
                fields=["publication_state"],
                condition=~Q(publication_state=PublicationState.PUBLISHED),
                name="programme_unpublished_idx",
            ),
            # The lists' default order ("newest first"): the first page is read from the
            # index instead of sorting every published programme.
            models.Index(
                models.F("published_at").desc(),
                "title",
                condition=Q(publication_state=PublicationState.PUBLISHED),
                name="programme_newest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="programme_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="programme_image_has_alt_text"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProgrammeStatus.values), name="programme_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(publication_state__in=PublicationState.values),
                name="programme_publication_state_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programmes:programme-detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.publication_state == PublicationState.PUBLISHED

    @property
    def is_archived(self):
        return self.publication_state == PublicationState.ARCHIVED

    @property
    def confirmed_at(self):
        """When the content was last known to be current: a confirmation or publication."""
        return self.last_confirmed_at or self.published_at

    @property
    def profile(self):
        """The best-practice profile, recognised or not, or None."""
        try:
            return self.best_practice
        except BestPracticeProfile.DoesNotExist:
            return None

    @property
    def recognised_profile(self):
        """The best-practice profile where the editors recognised it (public), else None."""
        profile = self.profile
        return profile if profile is not None and profile.is_recognised else None

    @property
    def is_stale(self):
        confirmed = self.confirmed_at
        limit = timezone.now() - timedelta(days=settings.CONFIRMATION_STALE_DAYS)
        return confirmed is not None and confirmed < limit

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = _("Describe the image for people who cannot see it.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end cannot lie before the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_adapted(self):
        return bool(self.adapted_from_id or self.adapted_from_title)

    def lineage(self, depth=5):
        """The sources this programme was taken over from, nearest first, as far as they
        can be followed: (programme or None, title, county name, reachable). A deleted source,
        or one that is not public (a draft again, say), ends the chain with the title and
        county kept at the take-over, never with what its staff are writing now; a loop
        never repeats."""
        chain, seen, current = [], {self.pk}, self
        while current is not None and current.is_adapted and len(chain) < depth:
            source = current.adapted_from
            reachable = source is not None and source.publication_state in (
                PublicationState.PUBLISHED,
                PublicationState.ARCHIVED,
            )
            if not reachable or source.pk in seen:
                chain.append((None, current.adapted_from_title, current.adapted_from_county, False))
                break
            seen.add(source.pk)
            chain.append((source, source.title, source.county.name, True))
            current = source
        return chain


class Funding(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("programme")
    )
    level = models.CharField(_("level"), max_length=20, choices=FundingLevel.choices)
    programme_name = models.CharField(
        _("funding programme"), max_length=200, blank=True, help_text=_("E.g. AMIF, ESF Plus.")
    )
    start_year = models.PositiveSmallIntegerField(
        _("from year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
    )
    end_year = models.PositiveSmallIntegerField(
        _("until year"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
    )
    amount = models.DecimalField(
        _("amount in euros"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("fundings")
        ordering = ["start_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=FundingLevel.values), name="funding_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="funding_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.programme_name}".rstrip(": ")


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


def attachment_path(instance, filename):
    # The uploader's file name never reaches the disk: it could be anything.
    return f"attachments/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    """A PDF that belongs to a programme, e.g. a flyer or an evaluation report."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("programme"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("PDF file"),
        upload_to=attachment_path,
        validators=[validate_pdf],
        help_text=_("PDF only, at most 10 MB."),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "programmes:attachment",
            kwargs={"slug": self.programme.slug, "pk": self.pk},
        )


class SearchDocument(models.Model):
    """A programme's stored search documents on PostgreSQL (SQLite keeps them in an FTS5
    table), in a narrow table of their own: a search reads the row of every match, and here
    a row holds what the search needs, not a programme's long texts. Whether the programme
    is published, and when, are copied with the documents, so that a search of all
    published programmes reads no other table (programmes.search keeps them current)."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True)
    # Title, summary, keywords, fields, groups and county (weights A and B): what ranks the
    # matches, small enough to be read for thousands of them, and stored in the row.
    rank_vector = SearchVectorField(null=True)
    # Everything, the long texts too (weight C): what decides whether a programme matches,
    # found through its GIN index; stored uncompressed and out of line once the row would
    # pass about 2 kB, as it does for most programmes.
    search_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return str(self.programme_id)


class SearchTerm(models.Model):
    """A word of a published programme's title, summary, keywords, fields of action or county:
    what "Meinten Sie …?" can suggest when a search with a typo finds nothing. Kept per
    programme, so that a word leaves the vocabulary with the last public programme using it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    term = models.CharField(_("word"), max_length=80)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "term"], name="searchterm_unique_per_programme"
            )
        ]

    def __str__(self):
        return self.term


class SearchWord(models.Model):
    """Each word of the correction vocabulary (SearchTerm) once, with the number of published
    programmes using it (PostgreSQL; kept current by triggers on SearchTerm, migration 0025):
    "Meinten Sie …?" compares a typed word with a few thousand words, not with every
    programme's."""

    word = models.CharField(_("word"), max_length=80, primary_key=True)
    programmes = models.IntegerField(_("published programmes"), default=0)

    class Meta:
        verbose_name = _("word of the vocabulary")
        verbose_name_plural = _("words of the vocabulary")

    def __str__(self):
        return self.word


class SearchLexeme(models.Model):
    """How many published programmes' search documents hold a word of the index (PostgreSQL):
    kept current by triggers on the documents' table (migration 0024), whatever writes it.
    A search needs to know only whether a word is common, and a word held by enough
    programmes makes every search term it starts common without reading the index."""

    lexeme = models.TextField(_("word"), primary_key=True)
    documents = models.IntegerField(_("published programmes"), default=0)

    class Meta:
        verbose_name = _("indexed word")
        verbose_name_plural = _("indexed words")

    def __str__(self):
        return self.lexeme


class Neighbours(models.Model):
    """The related and comparable programmes of a programme, worked out ahead
    (programmes.neighbours), with the structure version they were worked out at."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="neighbours",
        verbose_name=_("programme"),
    )
    related = models.JSONField(_("related programmes"), default=list)
    comparable = models.JSONField(_("comparable programmes"), default=list)
    version = models.PositiveBigIntegerField(_("structure version"))

    class Meta:
        verbose_name = _("neighbours of a programme")
        verbose_name_plural = _("neighbours of programmes")

    def __str__(self):
        return str(self.programme_id)


class SearchSynonym(models.Model):
    """Two expressions the search treats as one, in both directions: an abbreviation and its
    long form ("MBE" – "Migrationsberatung für erwachsene Zuwanderer"), a loan word and its
    German word. Kept by the editors; applied to every query, not to the stored documents,
    so that a change works at once."""

    term = models.CharField(
        _("term"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("Usually the short form, e.g. “JMD”."),
    )
    synonym = models.CharField(
        _("same meaning"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("E.g. “Jugendmigrationsdienst”. Both directions are searched."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = [Lower("term"), Lower("synonym")]
        constraints = [
            models.UniqueConstraint(Lower("term"), Lower("synonym"), name="synonym_unique_pair")
        ]

    def __str__(self):
        return f"{self.term} = {self.synonym}"


class Keyword(Tag):
    """The free keywords (django-taggit's tags) as the staff area names them."""

    class Meta:
        proxy = True
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")


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
