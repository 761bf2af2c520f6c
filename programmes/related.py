"""Related programmes: those sharing fields of action and keywords with a programme.

The scores come from the two link tables alone (ids and numbers, no programme rows); the
caller loads only the few best as cards: grouping every published programme with its fields
and keywords to keep four would read the whole table."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import TaggedItem

from .enums import PublicationState
from .models import Programme

SQL = """
SELECT p.id FROM (
    SELECT programme_id AS id, COUNT(*) AS score FROM {fields}
        WHERE fieldofaction_id IN ({field_ids}) GROUP BY programme_id
    UNION ALL
    SELECT object_id, 2 * COUNT(*) FROM {items}
        WHERE content_type_id = %s AND tag_id IN ({tag_ids}) GROUP BY object_id
    UNION ALL
    SELECT id, 0 FROM {programme} WHERE county_id = %s
) AS scores
JOIN {programme} p ON p.id = scores.id
WHERE p.publication_state = %s AND p.id <> %s
GROUP BY p.id, p.county_id, p.published_at
ORDER BY SUM(scores.score) DESC, CASE WHEN p.county_id = %s THEN 1 ELSE 0 END DESC,
    p.published_at DESC, p.id
LIMIT %s
"""


def related_ids(programme, field_ids, tag_ids, limit):
    """Most in common first (a shared keyword counts twice, a shared field once), then the
    same county, then the newest; programmes of the same county come even with nothing in
    common."""
    sql = SQL.format(
        fields=Programme.fields_of_action.through._meta.db_table,
        items=TaggedItem._meta.db_table,
        programme=Programme._meta.db_table,
        # An empty IN () is invalid SQL; NULL matches nothing.
        field_ids=", ".join(["%s"] * len(field_ids)) or "NULL",
        tag_ids=", ".join(["%s"] * len(tag_ids)) or "NULL",
    )
    params = [
        *field_ids,
        ContentType.objects.get_for_model(Programme).pk,
        *tag_ids,
        programme.county_id,
        PublicationState.PUBLISHED,
        programme.pk,
        programme.county_id,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
