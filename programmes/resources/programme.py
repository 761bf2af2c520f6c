"""Programmes as spreadsheets (CSV, XLSX) with German column names, via django-import-export.

County staff import only into their own counties: the county column must be one of theirs,
and a row can only update a programme they may edit (others are not even looked up).

Exports neutralise text that a spreadsheet would run as a formula (portal.formulas); imports
take that apostrophe off again. The preview asks the database a fixed number of questions per
file, not per row: counties, the controlled lists, the user's counties, the addresses in use
and the programmes to update are loaded once, and nothing is written. A confirmed import saves
each programme, then writes the relations, one history record per row and the search
documents for all rows at once (programmes.import_writes).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from taggit.utils import edit_string_for_tags, parse_tags

from counties.models import County
from portal.formulas import neutralise, unquote
from portal.text import german_slugify

from ..import_writes import NoDiff, PreviewDiff, write_cards, write_relations_and_history
from ..keywords import check_keywords
from ..models import (
    BestPracticeProfile,
    FieldOfAction,
    PartnerKind,
    Programme,
    StaffRole,
    TargetGroup,
)
from ..search import deferred_updates
from .widgets import (
    CountyWidget,
    GermanDateWidget,
    GermanDecimalWidget,
    GermanIntegerWidget,
    NamesWidget,
    StatusWidget,
    TextWidget,
    YesNoWidget,
)

SLUG, TITLE, KEYWORDS = "Adresskürzel", "Titel", "Schlagwörter"
# A new programme needs these; without the address column every row of a re-imported export
# would become a copy of its programme.
REQUIRED_COLUMNS = (
    SLUG, "Kreisschlüssel (AGS)", TITLE, "Kurzbeschreibung", "Beschreibung", "Handlungsfelder",
)  # fmt: skip


def _card_field(attribute, column, widget):
    """A fact of the transferability card of the programme's best-practice profile. The
    import machinery leaves it alone (readonly); ProgrammeResource reads it from the row
    and writes it to an existing profile (the profile's texts are written in the form)."""
    return fields.Field(
        attribute=f"best_practice__{attribute}", column_name=column, widget=widget, readonly=True
    )


CARD_FIELDS = [
    "staff_fte", "staff_roles", "setup_cost", "running_cost", "costs_as_range",
    "depends_on_funding", "months_to_start", "required_partners", "preconditions",
    "works_without_city",
]  # fmt: skip
CARD_M2M = {"staff_roles", "required_partners"}


def _field(attribute, column, widget=None):
    return fields.Field(attribute=attribute, column_name=column, widget=widget or TextWidget())


class ProgrammeResource(resources.ModelResource):
    slug = _field("slug", SLUG)
    county = _field("county", "Kreisschlüssel (AGS)", CountyWidget(County, field="ags"))
    title = _field("title", TITLE)
    summary = _field("summary", "Kurzbeschreibung")
    description = _field("description", "Beschreibung")
    goals = _field("goals", "Ziele")
    fields_of_action = _field(
        "fields_of_action", "Handlungsfelder", NamesWidget(FieldOfAction, field="name")
    )
    target_groups = _field("target_groups", "Zielgruppen", NamesWidget(TargetGroup, field="name"))
    partner_kinds = _field("partner_kinds", "Partnerarten", NamesWidget(PartnerKind, field="name"))
    partner_names = _field("partner_names", "Partner (Namen)")
    keywords = fields.Field(column_name=KEYWORDS, readonly=True)
    status = _field("status", "Status", StatusWidget())
    start_date = _field("start_date", "Beginn", GermanDateWidget())
    end_date = _field("end_date", "Ende", GermanDateWidget())
    reach = _field("reach", "Erreichte Personen", GermanIntegerWidget())
    budget = _field("budget", "Jahresbudget (Euro)", GermanDecimalWidget())
    contact_name = _field("contact_name", "Ansprechperson")
    contact_role = _field("contact_role", "Funktion")
    contact_email = _field("contact_email", "E-Mail")
    contact_phone = _field("contact_phone", "Telefon")
    website = _field("website", "Website")
    adaptation_note = _field("adaptation_note", "Was wir geändert haben")
    staff_fte = _card_field("staff_fte", "Stellen (VZÄ)", GermanDecimalWidget())
    staff_roles = _card_field(
        "staff_roles", "Rollen des Personals", NamesWidget(StaffRole, field="name")
    )
    setup_cost = _card_field("setup_cost", "Einmalige Kosten (Euro)", GermanDecimalWidget())
    running_cost = _card_field("running_cost", "Laufende Kosten (Euro/Jahr)", GermanDecimalWidget())
    costs_as_range = _card_field("costs_as_range", "Kosten als Spanne zeigen", YesNoWidget())
    depends_on_funding = _card_field(
        "depends_on_funding", "Abhängig von befristeter Förderung", YesNoWidget()
    )
    months_to_start = _card_field("months_to_start", "Monate bis zum Start", GermanIntegerWidget())
    required_partners = _card_field(
        "required_partners", "Notwendige Partner", NamesWidget(PartnerKind, field="name")
    )
    preconditions = _card_field("preconditions", "Voraussetzungen", TextWidget())
    works_without_city = _card_field(
        "works_without_city", "Ohne Großstadt in der Nähe", YesNoWidget()
    )
    adapted_from = fields.Field(column_name="Übernommen von", readonly=True)

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
            "adaptation_note",
            "adapted_from",
            *CARD_FIELDS,
        ]
        clean_model_instances = True
        skip_unchanged = False
        # The programmes a file updates, in one query instead of one per row.
        instance_loader_class = CachedInstanceLoader

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.dry_run = False
        self._slugs_in_use = None  # every programme's address, loaded once
        self._slugs_in_file = set()  # the addresses the file names itself
        self._new_slugs = set()  # addresses of the new programmes checked so far
        self._county_ids = None
        self.saved = []  # (programme, is_new) in the order of the rows

    def get_queryset(self):
        """Rows can only update programmes the importing user may edit."""
        return (
            Programme.objects.editable_by(self.user)
            .select_related("county", "best_practice")
            .prefetch_related("fields_of_action", "target_groups", "partner_kinds", "keywords")
        )

    # Export -------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("county", "best_practice").prefetch_related(
            "fields_of_action",
            "target_groups",
            "partner_kinds",
            "keywords",
            "best_practice__staff_roles",
            "best_practice__required_partners",
        )

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget):
            return value  # a number, never a formula, even if negative
        return neutralise(value)

    def dehydrate_adapted_from(self, programme):
        if not programme.adapted_from_title:
            return ""
        return f"{programme.adapted_from_title} ({programme.adapted_from_county})"

    def dehydrate_keywords(self, programme):
        return edit_string_for_tags(list(programme.keywords.all())) if programme.pk else ""

    # Import -------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def import_data_inner(self, *args, **kwargs):
        # Inside the import's transaction: the search documents of all imported programmes
        # are rewritten once at the end, not after every save and relation.
        with deferred_updates():
            return super().import_data_inner(*args, **kwargs)

    def get_diff_class(self):
        return PreviewDiff if self.dry_run else NoDiff  # a confirmed import shows no diff

    def before_import(self, dataset, **kwargs):
        if SLUG in dataset.headers:
            self._slugs_in_file = {unquote(str(slug or "").strip()) for slug in dataset[SLUG]}

    def before_import_row(self, row, **kwargs):
        """A row without an address is a new programme: give it an address nobody has."""
        if not str(row.get(SLUG) or "").strip():
            base = german_slugify(unquote(str(row.get(TITLE) or "")))[:190] or "programm"
            slug, number = base, 2
            while self._slug_taken(slug) or slug in self._slugs_in_file:
                slug, number = f"{base}-{number}", number + 1
            row[SLUG] = slug

    def _slug_taken(self, slug):
        if self._slugs_in_use is None:
            self._slugs_in_use = set(Programme.objects.values_list("slug", flat=True))
        return slug in self._slugs_in_use or slug in self._new_slugs

    def _county_error(self, county_id):
        if self._county_ids is None:
            counties = County.objects.editable_by(self.user)
            self._county_ids = set(counties.values_list("pk", flat=True))
        if county_id is None:
            return _("The AGS of the county is missing.")
        if county_id not in self._county_ids:
            return _("You may only import programmes of your own county.")
        return None

    def import_instance(self, instance, row, **kwargs):
        """The plain fields as django-import-export sets them; the lists are checked here
        too (an unknown term is an error of its column) and kept on the programme until
        import_writes writes the relations of all rows."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.import_relations = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    instance.import_relations[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        self._read_card(instance, row, errors)
        if KEYWORDS in row:
            try:
                names = parse_tags(unquote(str(row[KEYWORDS] or "").strip()))
                instance.import_relations["keywords"] = check_keywords(names)
            except ValidationError as error:
                errors["keywords"] = error.messages
        if errors:
            raise ValidationError(errors)

    def _read_card(self, instance, row, errors):
        """The card's columns present in the row, cleaned; kept until after_import writes
        them to the programme's profile. Facts without a profile are an error of the row."""
        instance.import_card = {}
        for name in CARD_FIELDS:
            field = self.fields[name]
            if field.column_name not in row:
                continue
            try:
                value = field.widget.clean(row[field.column_name], row=row)
                if name not in CARD_M2M:  # the model's own checks: bounds, lengths
                    model_field = BestPracticeProfile._meta.get_field(name)
                    if value is None and not model_field.null:
                        continue  # an empty yes/no cell of a field that is never empty
                    value = model_field.clean(value, None)
                instance.import_card[name] = value
            except ValueError as error:
                errors[field.column_name] = [str(error)]
            except ValidationError as error:
                errors[field.column_name] = error.messages
        given = any(value not in (None, "", []) for value in instance.import_card.values())
        if given and getattr(instance, "best_practice", None) is None:
            column = self.fields[next(iter(instance.import_card))].column_name
            errors.setdefault(column, []).append(
                _(
                    "Transferability facts belong to a best-practice profile. Please create "
                    "the profile in the programme's form first."
                )
            )
        if not given:
            instance.import_card = {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {key: list(value) for key, value in (import_validation_errors or {}).items()}
        if "county" not in errors and self._county_error(instance.county_id):
            errors["county"] = [self._county_error(instance.county_id)]
        if instance._state.adding and "slug" not in errors:
            if self._slug_taken(instance.slug):
                errors["slug"] = [
                    _("Another programme already has the address “%(slug)s”.")
                    % {"slug": instance.slug}
                ]
            self._new_slugs.add(instance.slug)
        try:
            # full_clean would ask the database once per row for the county, the address and
            # each constraint. The county comes from the counties loaded once (CountyWidget),
            # the address is checked above against a set, and the constraints hold all the
            # same: the end date is checked in Programme.clean(), the status by its widget,
            # and image and publication state are never imported.
            instance.full_clean(
                exclude=[*errors, "county"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            # Name the spreadsheet's German column, not the model field.
            columns = {f.attribute: f.column_name for f in self.get_import_fields()}
            columns["keywords"] = KEYWORDS
            raise ValidationError({columns.get(key, key): value for key, value in errors.items()})

    def before_save_instance(self, instance, row, **kwargs):
        instance.skip_history_when_saving = True  # one record per row, written after all rows

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.dry_run:
            return  # the preview checks and shows; what it wrote would be rolled back anyway
        super().save_instance(instance, is_create, row, **kwargs)
        self.saved.append((instance, is_create))

    def save_m2m(self, instance, row, **kwargs):
        """Relations are written for all rows at once, in after_import."""

    def after_import(self, dataset, result, **kwargs):
        if not self.dry_run and not result.has_errors():  # otherwise all is rolled back
            write_relations_and_history(self.saved)
            write_cards(self.saved)
        super().after_import(dataset, result, **kwargs)
