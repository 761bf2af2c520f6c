from django.core.management.base import BaseCommand

from portal.cache import bump
from programmes.models import Programme
from programmes.search import recount_words, update_search_vectors

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rewrites the stored search document (PostgreSQL) and the suggestion vocabulary "
        "of every programme, and counts their words anew."
    )

    def handle(self, *args, **options):
        ids = list(Programme.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            update_search_vectors(ids[start : start + BATCH])
        recount_words()
        bump()  # bulk writes send no signals: cached pages must not outlive them
        self.stdout.write(f"{len(ids)} Suchdokumente aktualisiert.")
