from django.core.management.base import BaseCommand

from programmes.contact import purge


class Command(BaseCommand):
    help = (
        "Deletes requests (with their answers) a year after they were closed, and unconfirmed "
        "ones whose link expired; closes answered requests after 90 days. Run daily."
    )

    def handle(self, *args, **options):
        closed, deleted = purge()
        self.stdout.write(f"{closed} Anfragen geschlossen, {deleted} Anfragen gelöscht.")
