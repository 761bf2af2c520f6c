"""Removes the uploaded spreadsheets of import previews that were neither confirmed nor
cancelled, once they are older than two hours (programmes.uploads.UPLOAD_MAX_AGE). Every
import that starts does the same; run this daily as well (cron, like the reminders in the
README), so that no file with contact data lingers while nobody imports."""

from django.core.management.base import BaseCommand

from programmes.uploads import purge_expired


class Command(BaseCommand):
    help = "Removes uploaded import spreadsheets whose preview is older than two hours."

    def handle(self, *args, **options):
        removed = purge_expired()
        self.stdout.write(f"{removed} abgelaufene Import-Dateien entfernt.")
