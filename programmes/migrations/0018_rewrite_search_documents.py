"""Rewrite every stored search document with the tokens of programmes.analysis (both
databases). It runs the search code of this version, which reads the terms' addresses (0017):
keep it after every migration of the models that code reads."""

from django.db import migrations

BATCH = 500


def rewrite(apps, schema_editor):
    from programmes.search import update_search_vectors

    programme = apps.get_model("programmes", "Programme")
    ids = list(programme.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        update_search_vectors(ids[start : start + BATCH])


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0017_term_addresses"),
        ("portal", "0006_normalise_line_breaks"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
