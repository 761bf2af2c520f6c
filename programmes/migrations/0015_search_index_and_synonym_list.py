"""The search's own index on SQLite (an FTS5 table, rowid = programme id), the editors'
permissions for the synonym list, and its starter list."""

from pathlib import Path

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

SYNONYMS = Path(__file__).resolve().parent.parent / "search_data" / "synonyms.tsv"
SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS programmes_search USING fts5("
    "a, b, c, tokenize = 'unicode61 remove_diacritics 0')"
)


def starter_synonyms():
    pairs = []
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            term, synonym = line.split("\t")
            pairs.append((term.strip(), synonym.strip()))
    return pairs


def create_synonyms(apps, schema_editor):
    synonym = apps.get_model("programmes", "SearchSynonym")
    synonym.objects.bulk_create(
        [synonym(term=term, synonym=same) for term, same in starter_synonyms()],
        ignore_conflicts=True,
    )


def sync_roles(apps, schema_editor):
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    from portal.roles import sync_roles

    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def create_index(apps, schema_editor):
    # Filled by 0018, once every column the search code reads exists.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS programmes_search")


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0014_search_synonyms"),
        ("portal", "0005_content_version"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(create_synonyms, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
