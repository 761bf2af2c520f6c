"""Works out the related and comparable programmes of the published programmes whose kept
ones are missing or out of date (programmes.neighbours), so that their pages need not.

    .venv/bin/python manage.py update_neighbours          # only what is out of date
    .venv/bin/python manage.py update_neighbours --alle   # every published programme

Run after a deployment and at night (README, "Betrieb")."""

import time

from django.core.management.base import BaseCommand

from portal.cache import structure_version
from programmes.models import Programme
from programmes.neighbours import Batch, keep, stale

BATCH = 500


class Command(BaseCommand):
    help = "Works out the related and comparable programmes that are out of date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--alle", action="store_true", help="every published programme, not only those due"
        )

    def handle(self, *args, alle, **options):
        started = time.perf_counter()
        version = structure_version()
        programmes = Programme.objects.published() if alle else stale(version)
        programmes = programmes.select_related("county").only("pk", "county")
        batch = Batch() if programmes.exists() else None
        rows, done = [], 0
        for programme in programmes.order_by("pk").iterator(chunk_size=BATCH):
            rows.append((programme.pk, *batch.work_out(programme)))
            if len(rows) == BATCH:
                keep(rows, version)
                done, rows = done + len(rows), []
        keep(rows, version)
        done += len(rows)
        self.stdout.write(
            f"Nachbarn von {done} Programmen ermittelt in {time.perf_counter() - started:.0f} s."
        )
