"""Related programmes: those sharing fields of action and keywords with a programme.

The scores come from the two link tables (ids and numbers, no programme rows) for a bounded
set of candidates; the caller loads only the few best as cards: grouping every published
programme with its fields and keywords to keep four would read the whole table."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import TaggedItem

from .enums import PublicationState
from .models import Programme

# The candidates are bounded whatever the size of the portal: the programmes of the same
# county and the RECENT most recently published ones (read from the newest-first index).
# Their shared fields and keywords are then counted from the link tables by programme.
RECENT = 1000
SQL = """
WITH recent AS (
    SELECT id, county_id, published_at FROM {programme}
        WHERE publication_state = %(published)s
        ORDER BY published_at DESC, title LIMIT %(recent)s
), candidates AS (
    SELECT id, county_id, published_at FROM recent
    UNION
    SELECT id, county_id, published_at FROM {programme}
        WHERE county_id = %(county)s AND publication_state = %(published)s
), scores AS MATERIALIZED (
    SELECT c.id, c.county_id, c.published_at,
        (SELECT COUNT(*) FROM {fields} f
            WHERE f.programme_id = c.id AND f.fieldofaction_id IN ({field_ids})) AS fields,
        (SELECT COUNT(*) FROM {items} i
            WHERE i.content_type_id = %(content_type)s AND i.object_id = c.id
            AND i.tag_id IN ({tag_ids})) AS keywords
    FROM candidates c WHERE c.id <> %(programme)s
)
SELECT id FROM scores WHERE fields > 0 OR keywords > 0 OR county_id = %(county)s
ORDER BY fields + 2 * keywords DESC, CASE WHEN county_id = %(county)s THEN 1 ELSE 0 END DESC,
    published_at DESC, id
LIMIT %(limit)s
"""


def related_ids(programme, field_ids, tag_ids, limit):
    """Most in common first (a shared keyword counts twice, a shared field once), then the
    same county, then the newest; programmes of the same county come even with nothing in
    common."""
    sql = SQL.format(
        fields=Programme.fields_of_action.through._meta.db_table,
        items=TaggedItem._meta.db_table,
        programme=Programme._meta.db_table,
        # Ids are integers from the database; an empty IN () is invalid SQL, NULL matches none.
        field_ids=", ".join(str(int(pk)) for pk in field_ids) or "NULL",
        tag_ids=", ".join(str(int(pk)) for pk in tag_ids) or "NULL",
    )
    params = {
        "published": PublicationState.PUBLISHED,
        "recent": RECENT,
        "county": programme.county_id,
        "content_type": ContentType.objects.get_for_model(Programme).pk,
        "programme": programme.pk,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
