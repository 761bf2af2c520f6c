"""Times the committee dossier at its largest: 50 generated programmes of realistic length
(descriptions of 150 to 400 words, fundings, keywords), every one with a recognised
best-practice profile and a complete transferability card, made into a PDF three times.

    .venv/bin/python manage.py benchmark_dossier

Everything it creates lives in one transaction that is rolled back at the end, so it can run
against any database; nothing stays behind. It prints the time of each run, the size and the
number of pages.
"""

import io
import random
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from pypdf import PdfReader

from counties.loader import load_counties
from counties.models import County
from programmes.dossier import build_pdf
from programmes.management.commands.generate_programmes import Command as Generator
from programmes.management.commands.generate_programmes import Text, profile
from programmes.models import BestPracticeProfile, Programme
from programmes.views import DOSSIER_MAX


class Rollback(Exception):
    """Leaves the transaction without keeping anything."""


class Command(BaseCommand):
    help = "Times a PDF dossier of 50 realistic programmes (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--count", type=int, default=DOSSIER_MAX)

    def handle(self, *args, runs, count, **options):
        try:
            with transaction.atomic():
                self._measure(runs, count)
                raise Rollback
        except Rollback:
            pass

    def _measure(self, runs, count):
        rng = random.Random(2026)
        if not County.objects.exists():
            load_counties()
        Programme.objects.filter(slug__startswith="gen-").delete()
        generator = Generator()
        ids = generator._generate(count, rng)  # noqa: SLF001 - the load-test data, reused
        text = Text(rng)
        profiles = BestPracticeProfile.objects.filter(programme_id__in=ids)
        missing = set(ids) - set(profiles.values_list("programme_id", flat=True))
        BestPracticeProfile.objects.bulk_create(profile(pk, text) for pk in missing)
        profiles.update(
            staff_fte=Decimal("1.5"),
            setup_cost=Decimal("12000"),
            running_cost=Decimal("48000"),
            months_to_start=6,
            preconditions=text.sentence(),
        )
        Programme.objects.filter(pk__in=ids).update(publication_state="published")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            pdf = build_pdf(
                ids, title="Dossier", subtitle=f"{count} Programme", source_url="/benchmark/"
            )
            times.append(time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        self.stdout.write(
            f"Dossier mit {count} Programmen: "
            + ", ".join(f"{seconds:.2f} s" for seconds in times)
            + f" (Median {statistics.median(times):.2f} s), {len(pdf) / 1024:.0f} KB, "
            f"{pages} Seiten."
        )
