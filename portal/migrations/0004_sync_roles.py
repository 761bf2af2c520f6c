"""County staff no longer see the shared keyword list; editors may rename keywords only."""

from django.db import migrations


def sync(apps, schema_editor):
    from portal.roles import sync_roles

    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_roles")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
