"""Server time of the search on the programmes in the database: the list page with one
query, rendered in this process, median and 95th percentile per kind of query; then the
list without a search, with and without filters. Two rounds:

- a new search on a running server: what the search found, its facet counts and the page
  are computed anew for every request; values that do not depend on it (the filter form's
  400 counties, the synonyms, the facet index) are kept per content version, as a running
  server keeps them;
- without any cache: every value is computed anew as well; only the facet index is kept,
  as a database keeps its indexes.

    make bench   # once: creates and keeps portal_bench with 10,000 generated programmes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py benchmark_search

For requests per second under load, see bench_http."""

import re
import statistics
import time
from urllib.parse import urlencode

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse

from portal.cache import forget_local_values, forget_value
from programmes.models import Programme
from programmes.search import forget_kept, text_name
from programmes.views import facets_name

QUERIES = {
    "ein häufiges Wort": "Integration",
    "zwei Wörter": "Sprachkurs Frauen",
    "Kompositum": "Frauensprachkurs",
    "Tippfehler": "Kinderbetreung",
    "Abkürzung": "MBE",
    "ein Wort ohne Treffer": "Sprachkurs Quantencomputer",
    "Land im Text": "Ehrenamt Bayern",
    "lange Anfrage": "Begleitung von geflüchteten Familien bei der Suche nach einer Wohnung "
    "und einem Platz in der Kita",
}
# The list itself, for the target of 100 ms at 100,000 programmes.
LISTS = {
    "Liste": {},
    "Liste, Seite 20": {"seite": "20"},
    "drei Filter": {"handlungsfeld": "wohnen", "land": "bayern", "status": "running"},
    "Liste nach Kreis": {"sortierung": "kreis", "land": "hessen"},
}
RESULT_HEADING = re.compile(r'id="result-heading"[^>]*>([\d.]+)')
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
OWN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "benchmark-search",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
ROUNDS = [
    ("Neue Suche auf einem laufenden Server", OWN_CACHE),
    ("Ohne jeden Cache (nur der Facettenindex bleibt)", NO_CACHE),
]


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Median and 95th-percentile server time of searches never made before (list page)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Requests per query.")

    def handle(self, *args, runs, **options):
        published = Programme.objects.published().count()
        self.stdout.write(
            f"{published} veröffentlichte Programme, {connection.vendor}, {runs} Abrufe je Anfrage"
        )
        client = Client()
        url = reverse("programmes:programme-list")
        for title, caches in ROUNDS:
            self.stdout.write(f"\n{title}")
            self.stdout.write(f"{'Anfrage':<24}{'Treffer':>9}{'Median':>10}{'p95':>10}")
            everything = []
            with override_settings(
                CACHES=caches, PUBLIC_PAGE_CACHE=False, ALLOWED_HOSTS=["testserver"]
            ):
                forget_local_values()
                new_only = caches is OWN_CACHE
                for label, text in QUERIES.items():
                    everything += self._measure(client, url, label, {"q": text}, runs, new_only)
                self._line("alle", "", everything)
                self.stdout.write("ohne Suche")
                for label, params in LISTS.items():
                    self._measure(client, url, label, params, runs, new_only)

    def _measure(self, client, url, label, params, runs, new_only):
        response = client.get(url, params, secure=True)  # warm: code paths, lexicon, plans
        if response.status_code != 200:
            raise CommandError(f"{params!r}: status {response.status_code}")
        heading = RESULT_HEADING.search(response.content.decode())
        durations = []
        for _run in range(runs):
            forget_kept()  # no search found by the request before, in this process,
            if new_only:
                # nor in the shared cache, nor its facet counts
                forget_value(facets_name(QueryDict(urlencode(params, doseq=True))))
                if "q" in params:
                    forget_value(text_name(params["q"]))
            else:
                forget_local_values()  # no value kept from the request before at all
            started = time.perf_counter()
            client.get(url, params, secure=True)
            durations.append((time.perf_counter() - started) * 1000)
        self._line(label, heading.group(1) if heading else "?", durations)
        return durations

    def _line(self, label, found, durations):
        self.stdout.write(
            f"{label:<24}{found:>9}{statistics.median(durations):>8.0f}ms"
            f"{_percentile(durations, 0.95):>8.0f}ms"
        )
