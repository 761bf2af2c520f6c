"""What a confirmed spreadsheet import writes once its rows are saved, for all rows at once,
and what the preview shows of each row.

Row by row, every relation was set on its own with its signals, the search document was
rewritten after each of them and the history record asked the database again: some 80 queries
a row. Here the relations of all rows take a few queries per list, the search documents are
rewritten once at the end (programmes.search.deferred_updates, around the whole import), and
each row gets exactly one history record, written after its relations so that it shows them.
"""

from diff_match_patch import diff_match_patch
from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from taggit.models import Tag, TaggedItem

from .models import PROGRAMME_HISTORY, Programme
from .search import update_search_vectors

M2M_FIELDS = ("fields_of_action", "target_groups", "partner_kinds")
PREVIEW_CHARS = 160


def write_relations_and_history(saved):
    """`saved`: (programme, is_new) pairs of the rows saved with their plain fields; the
    lists each row gave wait in `programme.import_relations`."""
    programmes = [programme for programme, _new in saved]
    updated = {programme.pk for programme, new in saved if not new}
    for name in M2M_FIELDS:
        _write_m2m(name, _pending(programmes, name), updated)
    _write_keywords(_pending(programmes, "keywords"), updated)
    update_search_vectors([programme.pk for programme in programmes])
    _write_history(saved)


def _pending(programmes, name):
    return [p for p in programmes if name in getattr(p, "import_relations", {})]


def _write_m2m(name, programmes, updated):
    field = Programme._meta.get_field(name)
    through = field.remote_field.through
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    replaced = [programme.pk for programme in programmes if programme.pk in updated]
    through.objects.filter(**{f"{source}__in": replaced}).delete()
    through.objects.bulk_create(
        [
            through(**{source: programme.pk, target: term.pk})
            for programme in programmes
            for term in programme.import_relations[name]
        ],
        batch_size=1000,
    )


def _write_keywords(programmes, updated):
    if not programmes:
        return
    content_type = ContentType.objects.get_for_model(Programme)
    wanted = {p.pk: set(p.import_relations["keywords"]) for p in programmes}
    present = {
        (object_id, name): item_id
        for item_id, object_id, name in TaggedItem.objects.filter(
            content_type=content_type, object_id__in=[pk for pk in wanted if pk in updated]
        ).values_list("pk", "object_id", "tag__name")
    }
    tags = _tags(set().union(*wanted.values()))
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tags[name], content_type=content_type, object_id=pk)
            for pk, names in wanted.items()
            for name in sorted(names)
            if (pk, name) not in present
        ],
        batch_size=1000,
    )
    # Removed last: a keyword that nothing uses any more is pruned (programmes.keywords) at
    # once, and one that only moved to another programme of the file is in use again by now.
    gone = [item_id for (pk, name), item_id in present.items() if name not in wanted[pk]]
    if gone:
        TaggedItem.objects.filter(pk__in=gone).delete()


def _tags(names):
    """The keywords by name; new ones are created as taggit does it (it finds a free slug)."""
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in sorted(names - tags.keys()):
        tags[name] = Tag.objects.create(name=name)
    return tags


def _write_history(saved):
    """One record per row, after its relations: the record that
    PROGRAMME_HISTORY.create_historical_record writes, but for all rows in a few queries
    (one by one they took ten queries a row, most of a large import's time)."""
    model = Programme.history.model
    programmes = [programme for programme, _new in saved]
    for programme in programmes:
        programme._prefetched_objects_cache = {}  # the relations were written behind its back
    # What the record keeps besides the columns (programmes.history.snapshot_keywords).
    prefetch_related_objects(programmes, "keywords", "fundings", "attachments")
    records = [_history_record(model, programme, "+" if new else "~") for programme, new in saved]
    model.objects.bulk_create(records, batch_size=500)
    by_programme = {record.id: record for record in records}
    for field, m2m_model in PROGRAMME_HISTORY.m2m_models.items():
        if field.model is not Programme:
            continue  # django-simple-history keeps the fields of all tracked models together
        through = field.remote_field.through
        columns = [column.attname for column in through._meta.fields]
        source = f"{field.m2m_field_name()}_id"
        rows = through.objects.filter(**{f"{source}__in": list(by_programme)})
        m2m_model.objects.bulk_create(
            [
                m2m_model(history=by_programme[values[source]], **values)
                for values in rows.values(*columns)
            ],
            batch_size=1000,
        )
    for programme, record in zip(programmes, records, strict=True):
        post_create_historical_record.send(
            sender=model,
            instance=programme,
            history_instance=record,
            history_date=record.history_date,
            history_user=record.history_user,
            history_change_reason=record.history_change_reason,
            using=None,
        )
        programme.__dict__.pop("skip_history_when_saving", None)


def _history_record(model, programme, history_type):
    date = getattr(programme, "_history_date", None) or timezone.now()
    user = PROGRAMME_HISTORY.get_history_user(programme)
    reason = PROGRAMME_HISTORY.get_change_reason_for_object(programme, history_type, None)
    record = model(
        history_date=date,
        history_type=history_type,
        history_user=user,
        history_change_reason=reason,
        **{
            field.attname: getattr(programme, field.attname)
            for field in PROGRAMME_HISTORY.fields_included(programme)
        },
    )
    pre_create_historical_record.send(
        sender=model,
        instance=programme,
        history_date=date,
        history_user=user,
        history_change_reason=reason,
        history_instance=record,
        using=None,
    )
    return record


# The preview ------------------------------------------------------------------------------


class NoDiff:
    """A confirmed import shows no comparison, so none is computed."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return []


class PreviewDiff:
    """Each column of a row as the preview shows it: a new programme as it will be, a changed
    one as a diff of before and after; long texts shortened (2,000 whole descriptions would
    weigh megabytes and help nobody). The lists come from the row: they are only written on
    confirmation."""

    def __init__(self, resource, instance, new):
        self.left = [] if new else _preview_values(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = _preview_values(resource, instance)

    def as_html(self):
        if self.new:
            return [escape(value) for value in self.right]
        pairs = zip(self.left, self.right, strict=True)
        return [_diff_html(before, after) for before, after in pairs]


def _diff_html(before, after):
    """Like django-import-export's diff, without the style attributes that the portal's
    Content-Security-Policy blocks: browsers show <ins> and <del> well enough."""
    if before == after:
        return escape(after)
    matcher = diff_match_patch()
    diffs = matcher.diff_main(before, after)
    matcher.diff_cleanupSemantic(diffs)
    tags = {matcher.DIFF_INSERT: "ins", matcher.DIFF_DELETE: "del"}
    return mark_safe(  # noqa: S308 - every piece of text is escaped
        "".join(
            f"<{tags[op]}>{escape(text)}</{tags[op]}>" if op in tags else escape(text)
            for op, text in diffs
        )
    )


def _preview_values(resource, programme):
    pending = getattr(programme, "import_relations", {})
    values = []
    for field in resource.get_import_fields():
        name = field.attribute or "keywords"
        if name == "keywords" and name in pending:
            value = ", ".join(pending[name])
        elif name == "keywords":
            value = resource.dehydrate_keywords(programme)
        elif name in pending:
            value = "; ".join(term.name for term in pending[name])
        else:
            value = field.export(programme)
        values.append(_shortened(str(value)))
    return values


def _shortened(text):
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1].rstrip() + "…"


def write_cards(saved):
    """The transferability facts a row gave, written to its programme's profile with one
    history record each (programmes.resources checked that the profile exists)."""
    from .history import saved_with_one_record

    for programme, _new in saved:
        card = getattr(programme, "import_card", None)
        if not card:
            continue
        profile = programme.best_practice
        with saved_with_one_record(profile, "~"):
            for name, value in card.items():
                if name in ("staff_roles", "required_partners"):
                    getattr(profile, name).set(value)
                else:
                    setattr(profile, name, value)
            profile.save()
