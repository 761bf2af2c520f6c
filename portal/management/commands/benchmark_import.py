"""Times a spreadsheet import of 2,000 generated programmes through the admin: the preview
(upload and dry run) and the confirmation, as county staff would do it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py benchmark_import

It posts a generated CSV (descriptions of 150 to 400 words, three fields of action, keywords,
contact data) to the import page with Django's test client and confirms the preview. Everything
it creates lives in one transaction that is rolled back at the end, and the uploaded file is
removed from the storage, so it can run against any database; nothing stays behind.
"""

import csv
import io
import random
import re
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client, override_settings
from django.urls import reverse

from counties.loader import load_counties
from counties.models import County, CountyMembership
from portal.roles import COUNTY_STAFF
from programmes.models import FieldOfAction, PartnerKind, Programme, TargetGroup
from programmes.uploads import UploadStorage

WORDS = [
    "Sprachkurs", "Wohnung", "Integrationskurs", "Ehrenamt", "Patenschaft", "Jobcoaching",
    "Ausbildung", "Begegnungscafé", "Kinderbetreuung", "Anerkennung", "Mentoring", "Familien",
    "Frauen", "Jugendliche", "Beratung", "Vermieter", "Schule", "Kita", "Fachkräfte",
    "Förderung", "Netzwerk", "Lotsen", "Sport", "Elterncafé", "und", "mit", "für", "die",
    "der", "das", "im", "Landkreis", "Gemeinden", "Jobcenter", "Volkshochschule",
    "Teilnehmende", "wöchentlich",
]  # fmt: skip
DESCRIPTION_WORDS = (150, 400)
KEYWORDS = ["Sprachcafé", "Patenschaft", "Ehrenamt", "Mentoring", "Kita", "Lotsen", "Wohnen"]
HEADER = [
    "Adresskürzel", "Kreisschlüssel (AGS)", "Titel", "Kurzbeschreibung", "Beschreibung",
    "Ziele", "Handlungsfelder", "Zielgruppen", "Partnerarten", "Partner (Namen)",
    "Schlagwörter", "Status", "Beginn", "Ende", "Erreichte Personen", "Jahresbudget (Euro)",
    "Ansprechperson", "Funktion", "E-Mail", "Telefon", "Website",
]  # fmt: skip
HIDDEN = re.compile(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"')
USERNAME = "benchmark-import"


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Times the preview and the confirmation of a spreadsheet import through the admin."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, rows, seed, **options):
        random.seed(seed)
        try:
            # As in production: no query log (DEBUG), no hosts to refuse.
            with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"]), transaction.atomic():
                client, counties = self._staff_client()
                content = self._spreadsheet(rows, counties)
                self.stdout.write(f"Datei: {rows} Zeilen, {len(content) / 1e6:.1f} MB")
                self._measure(client, content, rows)
                raise Rollback
        except Rollback:
            self.stdout.write("Erzeugte Daten wurden zurückgerollt.")
        if connection.vendor == "postgresql":
            # The rolled-back rows stay behind as dead tuples and would slow the next run.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    def _staff_client(self):
        load_counties()
        counties = list(County.objects.order_by("ags")[:3])
        user = get_user_model().objects.create_user(USERNAME, is_staff=True)
        user.groups.add(Group.objects.get(name=COUNTY_STAFF))
        for county in counties:
            CountyMembership.objects.create(user=user, county=county)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client, counties

    def _spreadsheet(self, count, counties):
        fields = list(FieldOfAction.objects.values_list("name", flat=True))
        groups = list(TargetGroup.objects.values_list("name", flat=True))
        kinds = list(PartnerKind.objects.values_list("name", flat=True))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        for index in range(count):
            words = random.choices(WORDS, k=random.randint(*DESCRIPTION_WORDS))
            writer.writerow(
                [
                    "",
                    random.choice(counties).ags,
                    f"{random.choice(WORDS)} und {random.choice(WORDS)} {index}",
                    " ".join(random.choices(WORDS, k=20))[:290],
                    " ".join(words),
                    "- " + " ".join(random.choices(WORDS, k=12)),
                    "; ".join(random.sample(fields, 3)),
                    "; ".join(random.sample(groups, 2)),
                    "; ".join(random.sample(kinds, 2)),
                    "Caritasverband, Kreisvolkshochschule",
                    ", ".join(random.sample(KEYWORDS, 3)),
                    random.choice(["geplant", "laufend", "beendet", "Regelangebot"]),
                    "01.02.2024",
                    "",
                    str(random.randint(10, 500)),
                    "25000.00",
                    "Erika Mustermann",
                    "Integrationsbeauftragte",
                    f"integration{index}@example.org",
                    "0211 123456",
                    "https://example.org/integration",
                ]
            )
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def _post(self, client, label, url, data):
        started = time.perf_counter()
        response = client.post(url, data)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{label}: {seconds:.1f} s (HTTP {response.status_code})")
        return response

    def _measure(self, client, content, rows):
        upload = SimpleUploadedFile("benchmark.csv", content, content_type="text/csv")
        preview = self._post(
            client,
            "Vorschau",
            reverse("admin:programmes_programme_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )
        confirm = dict(HIDDEN.findall(preview.content.decode()))
        if preview.status_code != 200 or "import_file_name" not in confirm:
            raise CommandError("Die Vorschau bietet keine Bestätigung an (Fehler in der Datei?).")
        # The programmes the import adds, not those the database held before (make bench's).
        newest = Programme.objects.aggregate(newest=Max("pk"))["newest"] or 0
        try:
            url = reverse("admin:programmes_programme_process_import")
            self._post(client, "Import", url, confirm)
        finally:
            # The confirmation removes the stored upload; a failed one must not leave it.
            UploadStorage(name=confirm["import_file_name"]).remove()
        imported = Programme.objects.filter(pk__gt=newest)
        history = Programme.history.filter(id__in=imported.values("pk")).count()
        self.stdout.write(f"Importiert: {imported.count()} Programme, {history} Verlaufseinträge")
        if imported.count() != rows:
            raise CommandError(f"Erwartet waren {rows} importierte Programme.")
