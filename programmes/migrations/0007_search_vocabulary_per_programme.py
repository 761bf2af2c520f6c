# The suggestion vocabulary is kept per programme and only for published ones, so that a word
# leaves it with the last public programme using it. The old word list (of every programme,
# drafts included) is dropped and rebuilt from the published programmes.

import re

import django.db.models.deletion
from django.db import migrations, models

WORD = re.compile(r"[^\W_]+")
TERM_MIN_LENGTH = 4


def _words(text):
    return {
        word.lower()[:80]
        for word in WORD.findall(text or "")
        if len(word) >= TERM_MIN_LENGTH and not word.isdigit()
    }


def rebuild(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    SearchTerm = apps.get_model("programmes", "SearchTerm")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="programmes", model="programme").first()
    terms = []
    published = Programme.objects.filter(publication_state="published").select_related("county")
    for programme in published.prefetch_related("fields_of_action"):
        keywords = []
        if content_type is not None:
            keywords = TaggedItem.objects.filter(
                content_type=content_type, object_id=programme.pk
            ).values_list("tag__name", flat=True)
        text = " ".join(
            [
                programme.title,
                programme.summary,
                *keywords,
                *(field.name for field in programme.fields_of_action.all()),
                programme.county.name,
            ]
        )
        terms += [SearchTerm(programme_id=programme.pk, term=word) for word in _words(text)]
    SearchTerm.objects.bulk_create(terms, batch_size=1000, ignore_conflicts=True)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS searchterm_term_trgm "
            "ON programmes_searchterm USING GIN (term gin_trgm_ops)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("programmes", "0006_history_snapshots"),
    ]

    operations = [
        migrations.DeleteModel(name="SearchTerm"),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=80, verbose_name="word")),
                ("programme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="programmes.programme", verbose_name="programme")),
            ],
            options={
                "verbose_name": "search term",
                "verbose_name_plural": "search terms",
                "constraints": [models.UniqueConstraint(fields=("programme", "term"), name="searchterm_unique_per_programme")],
            },
        ),
        migrations.RunPython(trigram_index, migrations.RunPython.noop),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
