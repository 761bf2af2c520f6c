"""Related and comparable programmes, worked out ahead and kept in the database.

Which programmes a programme's page shows as related (programmes.related) and as comparable
(from the counties most like its own) depends on every other programme: 10 to 25
milliseconds of work, too much for every visit. The ids are kept per programme (Neighbours)
with the structure version they were worked out at. That version grows only with a change
they depend on: a programme created, deleted, published, withdrawn or moved to another
county, its fields of action or keywords, a county's figures (signals below). Edits of texts
leave the kept ids valid, and the cards are always read fresh, so an edit shows at once.

A page whose kept ids are of an older version works them out again and keeps them;
`manage.py update_neighbours` does so for all published programmes, after a deployment and
at night, so that visitors seldom wait for it."""

import copy
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from taggit.models import TaggedItem

from counties.counts import give_counts, published_counts
from counties.models import County
from counties.similarity import similar_counties
from portal.cache import bump_structure, cached_value, structure_version

from . import related, terms
from .models import Neighbours, Programme

logger = logging.getLogger(__name__)
RELATED_LIMIT = 4
COMPARABLE_COUNTIES = 10
# What the kept ids depend on, of the programme row itself.
STRUCTURE_FIELDS = ("publication_state", "published_at", "county_id")


def work_out(programme, request=None):
    """(related ids, comparable ids), each in order: sharing fields of action and keywords,
    and sharing a field of action in one of the most similar counties."""
    field_ids = [field.pk for field in programme.fields_of_action.all()]
    tag_ids = [tag.pk for tag in programme.keywords.all()]
    related_ids = related.related_ids(programme, field_ids, tag_ids, RELATED_LIMIT)
    comparable = (
        Programme.objects.published()
        .filter(
            county__in=similar_taking_part(programme.county, request),
            fields_of_action__in=field_ids,
        )
        .exclude(pk__in=[programme.pk, *related_ids])
        .annotate(shared=Count("fields_of_action", distinct=True))
        .order_by("-shared", "-published_at", "pk")
        .values_list("pk", flat=True)[:RELATED_LIMIT]
    )
    return related_ids, list(comparable)


class Batch:
    """work_out for every published programme at once (update_neighbours): the candidates
    that its queries read per programme (the most recent programmes, those of a county, the
    fields of action and keywords of each) are read once, and the same order is worked out
    here. At 100,000 programmes that is eight minutes instead of forty; a test holds both ways
    to the same answers."""

    def __init__(self):
        published = Programme.objects.published()
        self.rows = {
            pk: (county_id, published_at)
            for pk, county_id, published_at in published.values_list(
                "pk", "county_id", "published_at"
            )
        }
        self.by_county = {}
        for pk, (county_id, _published_at) in self.rows.items():
            self.by_county.setdefault(county_id, []).append(pk)
        self.fields = self._links(
            Programme.fields_of_action.through.objects.values_list(
                "programme_id", "fieldofaction_id"
            )
        )
        self.tags = self._links(
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Programme)
            ).values_list("object_id", "tag_id")
        )
        self.recent = list(
            published.order_by("-published_at", "title").values_list("pk", flat=True)[
                : related.RECENT
            ]
        )

    def _links(self, pairs):
        links = {}
        for pk, other in pairs.iterator(chunk_size=10_000):
            if pk in self.rows:
                links.setdefault(pk, set()).add(other)
        return links

    def _newest_first(self, pk):
        published_at = self.rows[pk][1]
        return -published_at.timestamp() if published_at else 0.0

    def work_out(self, programme):
        fields = self.fields.get(programme.pk, set())
        tags = self.tags.get(programme.pk, set())
        county_id = programme.county_id
        candidates = set(self.recent) | set(self.by_county.get(county_id, []))
        candidates.discard(programme.pk)
        scored = []
        for pk in candidates:
            shared_fields = len(fields & self.fields.get(pk, set()))
            shared_tags = len(tags & self.tags.get(pk, set()))
            same_county = self.rows[pk][0] == county_id
            if shared_fields or shared_tags or same_county:
                key = (-(shared_fields + 2 * shared_tags), -same_county, self._newest_first(pk))
                scored.append((*key, pk))
        related_ids = [row[-1] for row in sorted(scored)[:RELATED_LIMIT]]
        excluded = {programme.pk, *related_ids}
        comparable = []
        for other_county in similar_taking_part(programme.county):
            for pk in self.by_county.get(other_county, []):
                shared = len(fields & self.fields.get(pk, set()))
                if shared and pk not in excluded:
                    comparable.append((-shared, self._newest_first(pk), pk))
        return related_ids, [row[-1] for row in sorted(comparable)[:RELATED_LIMIT]]


def similar_taking_part(county, request=None):
    """The ids of the counties most like this one among those that publish here. Comparing
    with all 400 counties is the same work for every programme of a county, and which
    counties take part the same for all of them: both once per content version."""

    def compute():
        counts, known = published_counts(request), terms.counties(request)
        taking_part = [other for pk, other in known.items() if pk in counts]
        similar = similar_counties(county, limit=COMPARABLE_COUNTIES, candidates=taking_part)
        return [other.pk for other in similar]

    return cached_value(
        f"similar-counties-taking-part:{county.pk}", compute, request=request, local=True
    )


def similar_with_counts(county, request=None, limit=COMPARABLE_COUNTIES):
    """The first `limit` of `similar_taking_part`, as counties with their Land and their
    published programmes counted: copies of the kept ones (terms.counties), which the
    requests of the process share."""
    known = terms.counties(request)
    similar = similar_taking_part(county, request)[:limit]
    return give_counts([copy.copy(known[pk]) for pk in similar if pk in known], request)


def ids(programme, request=None):
    """The kept (related ids, comparable ids) of a programme, worked out again and kept when
    they are of an older structure version. Reads Neighbours from the programme when the
    query selected it (select_related("neighbours"))."""
    version = structure_version(request)
    try:
        kept = programme.neighbours
    except Neighbours.DoesNotExist:
        kept = None
    if kept is not None and kept.version == version:
        return kept.related, kept.comparable
    related_ids, comparable_ids = work_out(programme, request)
    keep([(programme.pk, related_ids, comparable_ids)], version)
    return related_ids, comparable_ids


def keep(rows, version):
    """Store (programme id, related ids, comparable ids) rows, replacing older ones."""
    objects = [
        Neighbours(programme_id=pk, related=related_ids, comparable=comparable_ids, version=version)
        for pk, related_ids, comparable_ids in rows
    ]
    try:
        with transaction.atomic():
            Neighbours.objects.bulk_create(
                objects,
                update_conflicts=True,
                unique_fields=["programme"],
                update_fields=["related", "comparable", "version"],
            )
    except DatabaseError:
        # The programme deleted meanwhile, or the database busy (SQLite): keeping them is a
        # saving, never a condition; the page shows what was worked out.
        logger.warning("Related programmes not kept", exc_info=True)


def stale(version):
    """The published programmes whose kept ids are missing or of an older version."""
    return Programme.objects.published().exclude(neighbours__version=version)


# --- What the kept ids depend on ---------------------------------------------------------


def _note_structure(sender, instance, raw=False, **kwargs):
    if instance.pk is None or raw:
        return
    instance._structure_before = (
        Programme.objects.filter(pk=instance.pk).values_list(*STRUCTURE_FIELDS).first()
    )


def _programme_saved(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop("_structure_before", None)
    after = tuple(getattr(instance, name) for name in STRUCTURE_FIELDS)
    if created or raw or before != after:
        bump_structure()


def _links_changed(sender, instance, action, **kwargs):
    # Taggit's link table could serve other tagged models: only programmes' keywords count.
    if action in {"post_add", "post_remove", "post_clear"} and (
        sender is not TaggedItem or isinstance(instance, Programme)
    ):
        bump_structure()


def connect():
    uid = "neighbours-structure"
    pre_save.connect(_note_structure, sender=Programme, dispatch_uid=f"{uid}-note")
    post_save.connect(_programme_saved, sender=Programme, dispatch_uid=f"{uid}-saved")
    post_delete.connect(bump_structure, sender=Programme, dispatch_uid=f"{uid}-deleted")
    post_save.connect(bump_structure, sender=County, dispatch_uid=f"{uid}-county")
    # Keywords written or merged without the programme's manager.
    post_save.connect(bump_structure, sender=TaggedItem, dispatch_uid=f"{uid}-keyword")
    post_delete.connect(bump_structure, sender=TaggedItem, dispatch_uid=f"{uid}-keyword-gone")
    for through in (Programme.fields_of_action.through, TaggedItem):
        m2m_changed.connect(
            _links_changed, sender=through, dispatch_uid=f"{uid}-{through._meta.label}"
        )
