"""Measures search and filtered list requests on 10,000 generated programmes (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py benchmark_search

Everything it creates lives in one transaction that is rolled back at the end, so it can run
against any database that has the counties loaded; nothing stays behind.
"""

import random
import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from counties.loader import load_counties
from counties.models import County
from programmes.models import FieldOfAction, Programme, TargetGroup
from programmes.search import update_search_vectors

WORDS = [
    "Sprachkurs",
    "Wohnung",
    "Integrationskurs",
    "Ehrenamt",
    "Patenschaft",
    "Jobcoaching",
    "Ausbildung",
    "Begegnungscafé",
    "Kinderbetreuung",
    "Anerkennung",
    "Mentoring",
    "Familien",
    "Frauen",
    "Jugendliche",
    "Beratung",
    "Vermieter",
    "Schule",
    "Kita",
    "Fachkräfte",
    "Ukraine",
    "Förderung",
    "Netzwerk",
    "Lotsen",
    "Sport",
    "Elterncafé",
]
SEARCHES = [
    "Sprachkurse",
    "Wohnungen",
    "Foerderung",
    "Integration",
    "Patenschaft Familien",
    "Jobcoaching Jugendliche",
    "Begegnung",
    "Kita",
    "Fachkraefte",
    "Lotsen",
]
STATUSES = ["planned", "running", "ended", "permanent"]
ROLLBACK = "roll back the benchmark data"


class Rollback(Exception):
    pass


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Times search and filtered list requests on generated programmes (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--programmes", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=100)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, programmes, requests, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Der Benchmark misst die PostgreSQL-Suche: DATABASE_URL setzen.")
        random.seed(seed)
        try:
            with transaction.atomic():
                self._generate(programmes)
                self._measure(requests)
                raise Rollback(ROLLBACK)
        except Rollback:
            self.stdout.write("Erzeugte Daten wurden zurückgerollt.")
        # The rolled-back rows stay behind as dead tuples and would slow the next run.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def _generate(self, count):
        started = time.perf_counter()
        load_counties()
        counties = list(County.objects.all())
        fields = list(FieldOfAction.objects.all())
        groups = list(TargetGroup.objects.all())
        tags = [
            Tag.objects.get_or_create(name=word, defaults={"slug": word.lower()})[0]
            for word in WORDS
        ]
        now = timezone.now()
        created = Programme.objects.bulk_create(
            [self._programme(index, random.choice(counties), now) for index in range(count)],
            batch_size=1000,
        )
        self._relations(created, fields, groups, tags)
        ids = [programme.pk for programme in created]
        for start in range(0, len(ids), 1000):
            update_search_vectors(ids[start : start + 1000])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"{count} Programme erzeugt und indexiert in {time.perf_counter() - started:.1f} s"
        )

    def _programme(self, index, county, now):
        words = random.sample(WORDS, 6)
        return Programme(
            county=county,
            title=f"{words[0]} und {words[1]} {index}",
            slug=f"benchmark-{index}",
            summary=f"{words[2]} für {words[3]} im Landkreis.",
            description=" ".join(random.choices(WORDS, k=60)),
            status=random.choice(STATUSES),
            publication_state="published",
            published_at=now - timedelta(days=random.randint(0, 900)),
        )

    def _relations(self, programmes, fields, groups, tags):
        through_fields = Programme.fields_of_action.through
        through_groups = Programme.target_groups.through
        content_type = TaggedItem.content_type.field.related_model.objects.get_for_model(Programme)
        field_rows, group_rows, tag_rows = [], [], []
        for programme in programmes:
            for field in random.sample(fields, random.randint(1, 3)):
                field_rows.append(through_fields(programme=programme, fieldofaction=field))
            for group in random.sample(groups, random.randint(1, 3)):
                group_rows.append(through_groups(programme=programme, targetgroup=group))
            for tag in random.sample(tags, 3):
                tag_rows.append(
                    TaggedItem(tag=tag, content_type=content_type, object_id=programme.pk)
                )
        through_fields.objects.bulk_create(field_rows, batch_size=2000)
        through_groups.objects.bulk_create(group_rows, batch_size=2000)
        TaggedItem.objects.bulk_create(tag_rows, batch_size=2000)

    def _time(self, client, paths):
        durations = []
        for path in paths:
            started = time.perf_counter()
            response = client.get(path, HTTP_HOST="127.0.0.1")
            durations.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{path} antwortete {response.status_code}")
        return durations

    def _report(self, label, durations):
        self.stdout.write(
            f"{label}: Median {statistics.median(durations):.0f} ms, "
            f"95. Perzentil {_percentile(durations, 0.95):.0f} ms ({len(durations)} Anfragen)"
        )

    def _measure(self, count):
        client = Client()
        client.get("/programme/", HTTP_HOST="127.0.0.1")  # warm up templates and caches
        states = ["bayern", "niedersachsen", "nordrhein-westfalen", "hessen", "sachsen"]
        searches = [f"/programme/?q={random.choice(SEARCHES)}" for _ in range(count)]
        lists = [
            f"/programme/?handlungsfeld={random.choice(['housing', 'language', 'work'])}"
            f"&land={random.choice(states)}&status={random.choice(STATUSES)}"
            f"&seite={random.randint(1, 3)}"
            for _ in range(count)
        ]
        self._report("Suche", self._time(client, searches))
        self._report("Liste mit drei Filtern", self._time(client, lists))
