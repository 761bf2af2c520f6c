"""History of programmes, best-practice profiles and county profiles (django-simple-history).

- One admin save writes one record (`saved_with_one_record`), however many inlines and
  many-to-many fields it touches.
- Keywords (taggit) are no plain many-to-many field; each programme record keeps them as text.
- `changes` turns two records into readable before/after pairs, `restore` brings a version
  back (also of a deleted programme) and records that as a change of its own.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.signals import pre_create_historical_record
from taggit.models import TaggedItem
from taggit.utils import edit_string_for_tags, parse_tags

from counties.models import COUNTY_HISTORY, County
from portal import text_diff
from portal.roles import CURATE_PERMISSION

from .models import (
    BEST_PRACTICE_HISTORY,
    PROGRAMME_HISTORY,
    Attachment,
    BestPracticeProfile,
    Funding,
    Indicator,
    Programme,
)

RECORDS = {
    Programme: PROGRAMME_HISTORY,
    County: COUNTY_HISTORY,
    BestPracticeProfile: BEST_PRACTICE_HISTORY,
}
# Never restored into an existing object (a deleted one comes back whole):
NOT_RESTORED = {
    # who a programme belongs to and where it stands in the workflow
    "id", "county", "slug", "publication_state", "published_at", "review_comment",
    "created_at", "is_demo",
    # a county's official figures: they come from Destatis
    "ags", "name", "sort_name", "official_kind", "category", "state", "nuts3", "area_km2",
    "population",
}  # fmt: skip
# Only editors decide these; a restore by county staff leaves them as they are.
CURATED = {"is_recognised", "editors_statement", "is_featured", "featured_rank", "featured_until"}
M2M_FIELDS = ("fields_of_action", "target_groups", "partner_kinds")
# The many-to-many fields each model's history keeps, with the history that keeps them.
HISTORY_M2M = {
    Programme: (M2M_FIELDS, PROGRAMME_HISTORY),
    BestPracticeProfile: (("staff_roles", "required_partners"), BEST_PRACTICE_HISTORY),
}


@dataclass
class Change:
    label: str
    before: str
    after: str
    name: str = ""

    @property
    def is_long(self):
        return text_diff.is_long(self.before, self.after)

    @property
    def diff(self):
        """The whole text with insertions and deletions marked (safe HTML)."""
        return text_diff.word_diff(self.before, self.after)


SNAPSHOTS = (
    "keywords_snapshot", "fundings_snapshot", "attachments_snapshot", "indicators_snapshot",
)  # fmt: skip


@dataclass(frozen=True)
class Rows:
    """Rows of another table that a version keeps and a restore brings back."""

    model: type
    parent: str  # the foreign key to the versioned object
    related_name: str
    data_field: str  # where the history record keeps them
    fields: tuple


PROGRAMME_ROWS = (
    Rows(Funding, "programme", "fundings", "fundings_data",
         ("level", "programme_name", "start_year", "end_year", "amount")),
    Rows(Attachment, "programme", "attachments", "attachments_data",
         ("title", "file", "uploaded_at")),
)  # fmt: skip
PROFILE_ROWS = (
    Rows(Indicator, "profile", "indicators", "indicators_data", ("name", "value", "unit", "year")),
)
KEPT_ROWS = {Programme: PROGRAMME_ROWS, BestPracticeProfile: PROFILE_ROWS}


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows_data(instance, rows):
    queryset = getattr(instance, rows.related_name).order_by("pk").values("pk", *rows.fields)
    return [{name: _json_value(value) for name, value in row.items()} for row in queryset]


def _funding_text(funding):
    return (
        str(funding)
        + (f" {funding.start_year}–{funding.end_year or ''}" if funding.start_year else "")
        + (f", {funding.amount:.0f} €" if funding.amount else "")
    )


def snapshot_keywords(sender, instance, history_instance, **kwargs):
    """Everything a version keeps besides the object's own columns."""
    if not instance.pk or type(instance) not in KEPT_ROWS:
        return
    if isinstance(instance, Programme):
        history_instance.keywords_snapshot = edit_string_for_tags(list(instance.keywords.all()))
        history_instance.fundings_snapshot = "; ".join(
            _funding_text(funding) for funding in instance.fundings.all()
        )
        history_instance.attachments_snapshot = "; ".join(
            attachment.title for attachment in instance.attachments.all()
        )
    else:
        history_instance.indicators_snapshot = "; ".join(
            str(indicator) + (f" ({indicator.year})" if indicator.year else "")
            for indicator in instance.indicators.all()
        )
    for rows in KEPT_ROWS[type(instance)]:
        setattr(history_instance, rows.data_field, _rows_data(instance, rows))


def _restore_rows(target, record, rows):
    """Make the rows of `target` those that `record` kept: same ids where they still
    exist, recreated where they were deleted, removed where they came later. An attachment
    refers to its file by name; files are never deleted, so every version can use them."""
    data = getattr(record, rows.data_field, None)
    if data is None:
        return  # a version from before the rows were kept: leave them as they are
    current = getattr(target, rows.related_name)
    kept = []
    for row in data:
        values = {
            name: rows.model._meta.get_field(name).to_python(row.get(name)) for name in rows.fields
        }
        item = current.filter(pk=row["pk"]).first()
        if item is None:  # deleted since: back under its old id (addresses stay the same)
            free = not rows.model._default_manager.filter(pk=row["pk"]).exists()
            item = rows.model(pk=row["pk"] if free else None, **{rows.parent: target})
        for name, value in values.items():
            setattr(item, name, value)
        item.save()
        if "uploaded_at" in values:  # auto_now_add stamped it as new
            rows.model._default_manager.filter(pk=item.pk).update(uploaded_at=values["uploaded_at"])
        kept.append(item.pk)
    current.exclude(pk__in=kept).delete()


def record_keyword_change(sender, instance, action, **kwargs):
    if not isinstance(instance, Programme) or action not in {
        "post_add",
        "post_remove",
        "post_clear",
    }:
        return
    if getattr(instance, "skip_history_when_saving", False):
        return
    PROGRAMME_HISTORY.create_historical_record(instance, "~")


def connect():
    pre_create_historical_record.connect(snapshot_keywords, dispatch_uid="keyword-snapshot")
    m2m_changed.connect(record_keyword_change, sender=TaggedItem, dispatch_uid="keyword-history")


@contextmanager
def saved_with_one_record(instance, history_type):
    """Silence the per-save and per-relation records, then write one for the whole save."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    RECORDS[type(instance)].create_historical_record(instance, history_type)


class _Lookups:
    """Names of related objects and many-to-many rows for a set of records, loaded in a
    few queries instead of several per record and field."""

    def __init__(self, records):
        self.names = {}
        self.m2m = {}
        records = [record for record in records if record is not None]
        model = records[0].instance_type if records else None
        if model in HISTORY_M2M:
            history_ids = [record.history_id for record in records]
            names, history = HISTORY_M2M[model]
            for name in names:
                field = model._meta.get_field(name)
                target = field.related_model._meta.model_name
                rows = (
                    history.m2m_models[field]
                    .objects.filter(history_id__in=history_ids)
                    .values_list("history_id", f"{target}_id")
                )
                for history_id, pk in rows:
                    self.m2m.setdefault((history_id, name), []).append(pk)

    def name(self, model, pk):
        if (model, pk) not in self.names:
            related = model._default_manager.filter(pk=pk).first()
            self.names[model, pk] = str(related) if related else f"#{pk}"
        return self.names[model, pk]

    def m2m_names(self, record, name):
        model = record.instance_type._meta.get_field(name).related_model
        pks = self.m2m.get((record.history_id, name), [])
        return ", ".join(sorted(self.name(model, pk) for pk in pks)) or "–"


def _display(record, field, lookups):
    if field.name in SNAPSHOTS:
        return getattr(record, field.name) or "–"
    if field.many_to_many:
        return lookups.m2m_names(record, field.name)
    value = getattr(record, field.attname)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value) or "–")
    if field.is_relation and value is not None:
        return lookups.name(field.related_model, value)
    if value in (None, ""):
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if hasattr(value, "isoformat"):
        return date_format(value, "SHORT_DATE_FORMAT")
    # Browsers send line breaks as \r\n, files often \n: the same text either way.
    return text_diff.normalise_newlines(str(value))


def _m2m_objects(record, name):
    rows = getattr(record, name).all()
    target = record.instance_type._meta.get_field(name).related_model
    attname = f"{target._meta.model_name}_id"
    return target._default_manager.filter(pk__in=[getattr(row, attname) for row in rows])


def _tracked_fields(record):
    model = record.instance_type
    names = {field.name for field in model._meta.get_fields()}
    fields = [
        field for field in record._meta.fields if field.name in names or field.name in SNAPSHOTS
    ]
    if model in HISTORY_M2M:
        fields += [model._meta.get_field(name) for name in HISTORY_M2M[model][0]]
    return [field for field in fields if field.name not in {"id", "updated_at", "is_demo"}]


def changes(record, previous, lookups=None):
    """What `record` changed against `previous` (or everything it holds, if first)."""
    lookups = lookups or _Lookups([record, previous])
    result = []
    for field in _tracked_fields(record):
        after = _display(record, field, lookups)
        before = _display(previous, field, lookups) if previous is not None else "–"
        if before != after:
            result.append(Change(capfirst(str(field.verbose_name)), before, after, field.name))
    return result


def changes_of_pairs(pairs):
    """changes() for many (record, previous) pairs, sharing one set of lookups."""
    lookups = _Lookups([record for pair in pairs for record in pair])
    return [changes(record, previous, lookups) for record, previous in pairs]


def timeline(records, *, complete=True):
    """(record, changes) from newest to oldest. With complete=False the last record given
    only serves as the predecessor of the one before it (fetch one more than you show)."""
    records = list(records)
    shown = records if complete or len(records) < 2 else records[:-1]
    pairs = [
        (record, records[index + 1] if index + 1 < len(records) else None)
        for index, record in enumerate(shown)
    ]
    return list(zip(shown, changes_of_pairs(pairs), strict=True))


@transaction.atomic
def restore(*, record, user, overrides=None):
    """Bring back the content of `record`; for a deleted object, the object itself.
    `overrides` sets fields that cannot be as they were (an address taken meanwhile)."""
    model = record.instance_type
    current = model._default_manager.filter(pk=record.id).first()
    target = current or record.instance
    kept = NOT_RESTORED if current is not None else set()
    if current is not None and not user.has_perm(CURATE_PERMISSION):
        kept = kept | CURATED
    for field in model._meta.concrete_fields:
        if field.name in kept:
            continue
        if not hasattr(record, field.attname):
            continue  # not kept in the history (bookkeeping, the search document)
        setattr(target, field.attname, getattr(record, field.attname))
    for name, value in (overrides or {}).items():
        setattr(target, name, value)
    _drop_links_to_deleted(target, model)
    when = date_format(timezone.localtime(record.history_date), "SHORT_DATETIME_FORMAT")
    target._change_reason = _("Restored the version of %(date)s") % {"date": when}
    target._history_user = user
    # A deletion record is written after the relations are gone; they live in the one before.
    relations = record.prev_record if record.history_type == "-" and record.prev_record else record
    with saved_with_one_record(target, "~" if current else "+"):
        target.save()
        if current is None and hasattr(record, "created_at"):
            # auto_now_add stamped the insert as new; the object was created long before.
            model._default_manager.filter(pk=target.pk).update(created_at=record.created_at)
            target.created_at = record.created_at
        for name in HISTORY_M2M.get(model, ((), None))[0]:
            getattr(target, name).set(_m2m_objects(relations, name))
        if model is Programme:
            target.keywords.set(parse_tags(relations.keywords_snapshot))
        for rows in KEPT_ROWS.get(model, ()):
            _restore_rows(target, relations, rows)
    if model is Programme and current is None:
        _recover_profile(target, user, record)
    return target


def _drop_links_to_deleted(target, model):
    """A link the version held to what has been deleted since (the source of a take-over,
    say) is left empty where it may be; the rest of the version comes back."""
    for field in model._meta.concrete_fields:
        value = getattr(target, field.attname)
        if not (field.many_to_one and field.null and value is not None):
            continue
        if not field.related_model._default_manager.filter(pk=value).exists():
            setattr(target, field.attname, None)


# A profile deleted with its programme is deleted in the same request, by the same person
# (or, deleted by the database's cascade outside a request, by nobody known).
DELETED_TOGETHER = timedelta(seconds=10)


def _recover_profile(programme, user, deletion):
    """The best-practice profile that went with the programme comes back with it: only that
    one. A profile deleted on its own before (by the editors, who alone may delete one they
    recognised) stays deleted."""
    deleted = (
        BestPracticeProfile.history.filter(programme_id=programme.pk, history_type="-")
        .order_by("-history_date")
        .first()
    )
    if deleted is None or BestPracticeProfile.objects.filter(pk=deleted.id).exists():
        return
    together = (
        deleted.history_user_id in (None, deletion.history_user_id)
        and abs(deletion.history_date - deleted.history_date) <= DELETED_TOGETHER
    )
    if together:
        restore(record=deleted, user=user)
