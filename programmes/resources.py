"""Programmes as spreadsheets (CSV, XLSX) with German column names, via django-import-export.

County staff import only into their own counties: the county column must be one of theirs,
and a row can only update a programme they may edit (others are not even looked up).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from taggit.utils import edit_string_for_tags, parse_tags

from counties.models import County
from portal.text import german_slugify

from .enums import ProgrammeStatus
from .models import PROGRAMME_HISTORY, FieldOfAction, PartnerKind, Programme, TargetGroup

LIST_SEPARATOR = ";"


class CountyWidget(widgets.ForeignKeyWidget):
    """Kreisschlüssel (AGS), five digits; spreadsheets like to drop the leading zero."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        if text.isdigit():
            text = text.zfill(5)
        if not text:
            raise ValueError(_("The AGS of the county is missing."))
        try:
            return self.get_queryset(value, row, **kwargs).get(ags=text)
        except County.DoesNotExist as missing:
            raise ValueError(
                _("There is no county with the AGS “%(ags)s”.") % {"ags": text}
            ) from missing


class NamesWidget(widgets.ManyToManyWidget):
    """Terms of a controlled list by their German names, separated by semicolons."""

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(LIST_SEPARATOR) if name.strip()]
        found = {term.name.casefold(): term for term in self.model.objects.all()}
        unknown = [name for name in names if name.casefold() not in found]
        if unknown:
            raise ValueError(
                _("Unknown: %(names)s. Allowed: %(allowed)s.")
                % {
                    "names": ", ".join(unknown),
                    "allowed": f"{LIST_SEPARATOR} ".join(t.name for t in found.values()),
                }
            )
        return [found[name.casefold()] for name in names]

    def render(self, value, obj=None, **kwargs):
        return f"{LIST_SEPARATOR} ".join(term.name for term in value.all()) if value else ""


class StatusWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().casefold()
        for choice, label in ProgrammeStatus.choices:
            if text in {choice, str(label).casefold()}:
                return choice
        raise ValueError(
            _("Unknown status “%(value)s”. Allowed: %(allowed)s.")
            % {
                "value": value,
                "allowed": ", ".join(str(label) for _c, label in ProgrammeStatus.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return str(ProgrammeStatus(value).label) if value else ""


class GermanDateWidget(widgets.Widget):
    """31.12.2024 or 2024-12-31; Excel also hands over real dates."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is no date (e.g. 31.12.2024).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d.%m.%Y") if value else ""


class TextWidget(widgets.CharWidget):
    """An empty spreadsheet cell is empty text, never NULL (XLSX hands over None)."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


def _field(attribute, column, widget=None):
    return fields.Field(attribute=attribute, column_name=column, widget=widget or TextWidget())


class ProgrammeResource(resources.ModelResource):
    slug = _field("slug", "Adresskürzel")
    county = _field("county", "Kreisschlüssel (AGS)", CountyWidget(County, field="ags"))
    title = _field("title", "Titel")
    summary = _field("summary", "Kurzbeschreibung")
    description = _field("description", "Beschreibung")
    goals = _field("goals", "Ziele")
    fields_of_action = _field(
        "fields_of_action", "Handlungsfelder", NamesWidget(FieldOfAction, field="name")
    )
    target_groups = _field("target_groups", "Zielgruppen", NamesWidget(TargetGroup, field="name"))
    partner_kinds = _field("partner_kinds", "Partnerarten", NamesWidget(PartnerKind, field="name"))
    partner_names = _field("partner_names", "Partner (Namen)")
    keywords = fields.Field(column_name="Schlagwörter", readonly=True)
    status = _field("status", "Status", StatusWidget())
    start_date = _field("start_date", "Beginn", GermanDateWidget())
    end_date = _field("end_date", "Ende", GermanDateWidget())
    reach = _field("reach", "Erreichte Personen", widgets.IntegerWidget())
    budget = _field("budget", "Jahresbudget (Euro)", widgets.DecimalWidget())
    contact_name = _field("contact_name", "Ansprechperson")
    contact_role = _field("contact_role", "Funktion")
    contact_email = _field("contact_email", "E-Mail")
    contact_phone = _field("contact_phone", "Telefon")
    website = _field("website", "Website")

    class Meta:
        model = Programme
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "county",
            "title",
            "summary",
            "description",
            "goals",
            "fields_of_action",
            "target_groups",
            "partner_kinds",
            "partner_names",
            "keywords",
            "status",
            "start_date",
            "end_date",
            "reach",
            "budget",
            "contact_name",
            "contact_role",
            "contact_email",
            "contact_phone",
            "website",
        ]
        clean_model_instances = True
        skip_unchanged = False

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        """Rows can only update programmes the importing user may edit."""
        return Programme.objects.editable_by(self.user).select_related("county")

    def before_import_row(self, row, **kwargs):
        """A row without an address is a new programme: give it an address nobody has."""
        if not str(row.get("Adresskürzel") or "").strip():
            base = german_slugify(str(row.get("Titel") or ""))[:190] or "programm"
            slug, number = base, 2
            while slug in self._taken_slugs() or Programme.objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            self._taken_slugs().add(slug)
            row["Adresskürzel"] = slug

    def _taken_slugs(self):
        if not hasattr(self, "_new_slugs"):
            self._new_slugs = set()
        return self._new_slugs

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        county = getattr(instance, "county", None)
        allowed = County.objects.editable_by(self.user)
        if county is not None and not allowed.filter(pk=county.pk).exists():
            errors["county"] = _("You may only import programmes of your own county.")
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as error:
            # Name the spreadsheet's German column, not the model field.
            columns = {f.attribute: f.column_name for f in self.get_import_fields()}
            raise ValidationError(
                {columns.get(key, key): value for key, value in error.message_dict.items()}
            ) from error

    def dehydrate_keywords(self, programme):
        return edit_string_for_tags(list(programme.keywords.all())) if programme.pk else ""

    def before_save_instance(self, instance, row, **kwargs):
        instance.skip_history_when_saving = True  # one record per row, written in save_m2m

    def save_m2m(self, instance, row, **kwargs):
        try:
            super().save_m2m(instance, row, **kwargs)
            if "Schlagwörter" in row:
                instance.keywords.set(parse_tags(str(row.get("Schlagwörter") or "")))
        finally:
            instance.__dict__.pop("skip_history_when_saving", None)
        PROGRAMME_HISTORY.create_historical_record(
            instance, "~" if instance.history.exists() else "+"
        )
