"""The controlled list of staff roles a transferable practice may need."""

import importlib

from django.db import migrations

# County staff get the new permissions (staff roles, requests): portal.roles.
_roles = importlib.import_module("programmes.migrations.0015_search_index_and_synonym_list")

STAFF_ROLES = [
    ("coordination", "koordination", "Koordination"),
    ("social-work", "sozialarbeit", "Sozialarbeit und Beratung"),
    ("teaching", "unterricht", "Unterricht und Lehrkräfte"),
    ("volunteer-coordination", "ehrenamtskoordination", "Koordination des Ehrenamts"),
]


def create_roles(apps, schema_editor):
    StaffRole = apps.get_model("programmes", "StaffRole")
    for position, (slug, address, name) in enumerate(STAFF_ROLES, start=1):
        StaffRole.objects.update_or_create(
            slug=slug, defaults={"address": address, "name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0019_transfer_card_lineage_requests")]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(_roles.sync_roles, migrations.RunPython.noop),
    ]
