from django.core.management.base import BaseCommand

from programmes.models import Programme
from programmes.search import is_available, update_search_vectors

BATCH = 500


class Command(BaseCommand):
    help = "Rewrites the stored search document of every programme (PostgreSQL only)."

    def handle(self, *args, **options):
        if not is_available():
            self.stdout.write("Die Volltextsuche braucht PostgreSQL; nichts zu tun.")
            return
        ids = list(Programme.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            update_search_vectors(ids[start : start + BATCH])
        self.stdout.write(f"{len(ids)} Suchdokumente aktualisiert.")
