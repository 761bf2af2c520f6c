"""The parts of a programme that staff add in its form: fundings and documents."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from counties.models import YEAR_VALIDATORS

from ..enums import FundingLevel
from ..validators import validate_pdf
from .programmes import Programme


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
