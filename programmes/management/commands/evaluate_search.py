"""Measure the search against the evaluation corpus and its graded queries
(programmes/search_eval), on whichever database is configured."""

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import setup_databases, teardown_databases

from programmes import search_eval

METRICS = ["nDCG@10", "P@5", "recall@10", "MRR"]


class Command(BaseCommand):
    help = (
        "Loads the evaluation corpus into a temporary database (like the tests) and prints "
        "nDCG@10, P@5, recall@10, MRR and the number of empty results per class of query."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--failures", action="store_true", help="List the queries with an nDCG below 0.5."
        )
        parser.add_argument("--each", action="store_true", help="List every query's nDCG.")

    def handle(self, *args, failures=False, each=False, **options):
        started = time.monotonic()
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            call_command("load_counties", verbosity=0, stdout=io.StringIO())
            ids = search_eval.load_corpus()
            summaries = search_eval.evaluate(ids)
        finally:
            teardown_databases(databases, verbosity=0)
        from django.db import connection

        self.stdout.write(
            f"Suche auf {connection.vendor}: {len(ids)} Programme, "
            f"{summaries['all'].queries} Anfragen ({time.monotonic() - started:.0f} s)\n"
        )
        header = f"{'Klasse':<14}{'Anfragen':>9}" + "".join(f"{m:>11}" for m in METRICS)
        self.stdout.write(header + f"{'ohne Treffer':>14}")
        for name in sorted(summaries, key=lambda n: (n == "all", n)):
            mean = summaries[name].mean()
            row = f"{name:<14}{mean['queries']:>9}" + "".join(f"{mean[m]:>11.2f}" for m in METRICS)
            self.stdout.write(row + f"{mean['zero results']:>14}")
        if each or failures:
            self.stdout.write("" if each else "\nAnfragen mit nDCG@10 unter 0,5:")
            for name, summary in sorted(summaries.items()):
                for query, value in summary.each if name != "all" else []:
                    if each or value < 0.5:
                        self.stdout.write(f"  [{name}] {query!r}: {value}")
