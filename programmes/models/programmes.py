"""A county's programme (its fundings and documents: models.parts), and the read rules of
who sees which programmes (ProgrammeQuerySet)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from counties.models import County
from portal.roles import county_ids, is_editor

from ..enums import ProgrammeStatus, PublicationState
from ..validators import image_extension, validate_image, validate_single_line
from .terms import FieldOfAction, PartnerKind, TargetGroup

SUMMARY_MAX_LENGTH = 300


def image_path(instance, filename):
    # A fresh name with the extension of the format Pillow found, not the one uploaded.
    return f"programmes/{uuid.uuid4().hex}.{image_extension(instance.image)}"


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
        from .profiles import BestPracticeProfile  # profiles build on programmes

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
        except ObjectDoesNotExist:  # BestPracticeProfile.DoesNotExist (models.profiles)
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
