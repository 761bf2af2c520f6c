"""Texts once saved from a browser hold \r\n line breaks, imported ones \n: store \n
everywhere, in the history too, so that the next save shows no change that is none."""

from django.db import migrations
from django.db.models import F, TextField, Value
from django.db.models.functions import Replace

APPS = ("programmes", "counties", "portal")


def normalise(apps, schema_editor):
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, TextField):
                    continue
                name = field.name
                model._base_manager.filter(**{f"{name}__contains": "\r"}).update(
                    **{
                        name: Replace(
                            Replace(F(name), Value("\r\n"), Value("\n")), Value("\r"), Value("\n")
                        )
                    }
                )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_content_version"),
        ("programmes", "0015_search_index_and_synonym_list"),
        ("counties", "0002_membership_history_confirmation"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
