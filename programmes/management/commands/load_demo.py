from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from counties.models import County, CountyMembership
from portal.roles import ADMINISTRATORS, COUNTY_STAFF, EDITORS
from programmes.demo import DemoRefused, load_demo

# username, password, role, county (AGS) – for local development only.
DEMO_ACCOUNTS = [
    ("kreis-neuss", "demo", COUNTY_STAFF, "05162"),
    ("redaktion", "demo", EDITORS, None),
    ("admin", "demo", ADMINISTRATORS, None),
]
ROLE_NAMES = {
    COUNTY_STAFF: "Kreisredaktion Rhein-Kreis Neuss",
    EDITORS: "Redaktion (DLT)",
    ADMINISTRATORS: "Administration",
}


class Command(BaseCommand):
    help = (
        "Fills an empty portal with invented example programmes and demo accounts. "
        "Refuses on a database with real programmes and outside development (DEBUG off)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo-Inhalte werden nur in der Entwicklung geladen (DEBUG=True).")
        try:
            created = load_demo()
        except DemoRefused as refusal:
            raise CommandError(
                "Die Datenbank enthält bereits echte Programme; Beispieldaten werden nicht geladen."
            ) from refusal
        if created:
            self.stdout.write(f"{created} Beispielprogramme angelegt.")
        else:
            self.stdout.write("Beispielprogramme sind bereits vorhanden.")
        self._ensure_demo_accounts()

    def _ensure_demo_accounts(self):
        User = get_user_model()
        self.stdout.write("Anmeldung unter /anmelden/ (nur für die lokale Entwicklung):")
        for username, password, role, ags in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org", "is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=role))
                if ags:
                    CountyMembership.objects.create(user=user, county=County.objects.get(ags=ags))
            self.stdout.write(
                self.style.SUCCESS(
                    f"  {ROLE_NAMES[role]}: Benutzername „{username}“, Passwort „{password}“"
                )
            )
