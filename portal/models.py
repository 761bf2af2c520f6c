from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SitePageKind(models.TextChoices):
    IMPRINT = "impressum", _("Imprint")
    PRIVACY = "datenschutz", _("Privacy policy")
    ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")
    DATA_SOURCES = "datenquellen", _("Data sources and licences")


class SitePage(models.Model):
    """A legal page of the portal. Editors keep its text; the operator comes from settings."""

    kind = models.CharField(_("page"), max_length=20, choices=SitePageKind.choices, unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), help_text=_("Markdown: paragraphs, lists, links."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        ordering = ["kind"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"portal:{self.kind}")


class ContentVersion(models.Model):
    """One number that grows with every change of public content. Cached pages are keyed by
    it, so a change is visible on the next request in every process and on every server,
    whatever the cache (portal.cache)."""

    number = models.PositiveBigIntegerField(_("number"), default=0)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return str(self.number)
