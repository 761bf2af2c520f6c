from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from portal.roles import ROLE_PERMISSIONS, sync_roles


class Command(BaseCommand):
    help = (
        "Gives the groups Kreisredaktion, Redaktion and Administration exactly the "
        "permissions listed in portal/roles.py."
    )

    def handle(self, *args, **options):
        sync_roles(Group, Permission)
        for name, codes in ROLE_PERMISSIONS.items():
            self.stdout.write(f"{name}: {len(codes)} Berechtigungen")
