from django.db import migrations

# SQLite only: the full-text table weighs words by the documents that hold them (bm25), so it
# holds published programmes only from now on; the rows of the others are taken out.
SQLITE_FORWARD = (
    "DELETE FROM programmes_search WHERE rowid NOT IN "
    "(SELECT id FROM programmes_programme WHERE publication_state = 'published')"
)


def published_only(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0025_search_words")]

    operations = [migrations.RunPython(published_only, migrations.RunPython.noop)]
