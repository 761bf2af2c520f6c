from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.roles import county_ids, is_editor

# A year someone types into a form: plausible for this portal, not any integer.
YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class CountyCategory(models.TextChoices):
    LANDKREIS = "landkreis", _("Landkreis")
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")


class State(models.Model):
    """A Bundesland: the first two digits of every Kreis's AGS."""

    code = models.CharField(
        _("state code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^\d{2}$", _("Two digits, e.g. 05."))],
    )
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")
        ordering = ["name"]

    def __str__(self):
        return self.name


# Who changed the profile, when, from what to what. Confirmations and reminders are
# bookkeeping, not content. Module level, so that one admin save can write one record.
COUNTY_HISTORY = HistoricalRecords(excluded_fields=["last_confirmed_at", "reminder_sent_at"])


class CountyQuerySet(models.QuerySet):
    def editable_by(self, user):
        """Editors keep every county; county staff only their own."""
        if is_editor(user):
            return self
        return self.filter(pk__in=county_ids(user))

    def taking_part(self):
        """Counties with at least one published programme (a semi-join: no DISTINCT over
        every county column and programme row)."""
        programmes = self.model._meta.get_field("programmes").related_model.objects
        return self.filter(
            Exists(programmes.filter(county=OuterRef("pk"), publication_state="published"))
        )


class County(models.Model):
    """One of the 400 Kreise. Official figures come from Destatis; the profile from its staff."""

    ags = models.CharField(
        _("AGS (Kreisschlüssel)"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Five digits, leading zeros included."))],
        help_text=_("Official five-digit key of the Kreis, e.g. 05162."),
    )
    name = models.CharField(_("official name"), max_length=120)
    official_kind = models.CharField(
        _("official kind"), max_length=40, help_text=_("As Destatis writes it, e.g. Kreis.")
    )
    category = models.CharField(_("category"), max_length=20, choices=CountyCategory.choices)
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="counties", verbose_name=_("state")
    )
    nuts3 = models.CharField(_("NUTS-3 code"), max_length=5)
    area_km2 = models.DecimalField(_("area in km²"), max_digits=8, decimal_places=2)
    population = models.PositiveIntegerField(_("population"))
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Part of the address; never changes.")
    )
    # Databases sort "Böblingen" after "Burgenlandkreis"; this key sorts it the German way.
    sort_name = models.CharField(max_length=120, db_index=True, editable=False)

    profile_text = models.TextField(
        _("short profile"),
        blank=True,
        help_text=_("How the county organises integration, in a few paragraphs. Markdown."),
    )
    office_name = models.CharField(
        _("integration office"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Integrationsbüro, Kommunales Integrationszentrum."),
    )
    office_email = models.EmailField(_("office e-mail"), blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    office_address = models.TextField(_("office address"), blank=True)
    office_website = models.URLField(_("office website"), blank=True)
    concept_year = models.PositiveSmallIntegerField(
        _("year of the integration concept"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
    )
    concept_url = models.URLField(_("link to the integration concept"), blank=True)
    last_confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When county staff last confirmed that the profile is current."),
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"), null=True, blank=True, editable=False
    )

    objects = CountyQuerySet.as_manager()
    history = COUNTY_HISTORY

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["sort_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CountyCategory.values), name="county_category_valid"
            ),
            models.CheckConstraint(condition=Q(area_km2__gt=0), name="county_area_positive"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("counties:county-detail", kwargs={"slug": self.slug})

    @property
    def density(self):
        """Inhabitants per km², derived from the official figures."""
        return round(self.population / float(self.area_km2)) if self.area_km2 else None

    @property
    def is_stale(self):
        if self.last_confirmed_at is None:
            return False
        limit = timezone.now() - timedelta(days=settings.CONFIRMATION_STALE_DAYS)
        return self.last_confirmed_at < limit

    @property
    def has_office(self):
        return any([self.office_name, self.office_email, self.office_phone, self.office_address])


class CountyMembership(models.Model):
    """Makes a user county staff (Kreisredaktion) of one county; a user may have several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="county_memberships",
        verbose_name=_("user"),
    )
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("county")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("county membership")
        verbose_name_plural = _("county memberships")
        ordering = ["county__sort_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "county"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.county}"
