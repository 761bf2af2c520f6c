"""German addresses for the fields of action, target groups and partner kinds ("wohnen"),
beside their stable codes ("housing"), which open data and older links keep using."""

from django.db import migrations, models

from portal.text import german_slugify

MODELS = ("FieldOfAction", "TargetGroup", "PartnerKind")


def fill(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("programmes", name)
        taken = set()
        for term in model.objects.order_by("position", "pk"):
            address = german_slugify(term.name)[:60] or term.slug
            while address in taken:
                address = f"{address}-{term.pk}"
            taken.add(address)
            term.address = address
            term.save(update_fields=["address"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0016_keyword_proxy")]

    operations = [
        *[
            migrations.AddField(
                model_name=name.lower(),
                name="address",
                # No index yet: the unique field below creates it (PostgreSQL would otherwise
                # be asked for the same "_like" index twice).
                field=models.SlugField(
                    max_length=60, null=True, db_index=False, verbose_name="address"
                ),
            )
            for name in MODELS
        ],
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name=name.lower(),
                name="address",
                field=models.SlugField(max_length=60, unique=True, verbose_name="address"),
            )
            for name in MODELS
        ],
        *[
            migrations.AlterField(
                model_name=name.lower(),
                name="slug",
                field=models.SlugField(max_length=40, unique=True, verbose_name="code"),
            )
            for name in MODELS
        ],
    ]
