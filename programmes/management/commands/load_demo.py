from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from programmes.demo import DemoRefused, load_demo

DEMO_ADMIN = ("admin", "admin")


class Command(BaseCommand):
    help = (
        "Fills an empty portal with invented example programmes and a demo administrator. "
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
        self._ensure_demo_admin()

    def _ensure_demo_admin(self):
        username, password = DEMO_ADMIN
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username, "admin@example.org", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Anmeldung unter /admin/ – Benutzername „{username}“, "
                f"Passwort „{password}“ (nur für die lokale Entwicklung)"
            )
        )
