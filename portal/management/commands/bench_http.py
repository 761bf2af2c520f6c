"""Load test of the public pages as users get them: gunicorn with production settings, a load
generator (wrk) on the same machine, each page side by side with a bare view in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py bench_http --seconds 10

Fill the database first with `generate_programmes`. Prints requests per second, the share of
the bare view, and the 50th and 99th percentile of the latency per page. Only loopback
addresses are loaded; each wrk run ends after the given time.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from redis import Redis

from counties.models import County
from programmes.models import FieldOfAction, Programme

SEARCHES_ONE = ["Sprachkurs", "Wohnung", "Ehrenamt", "Integration", "Ausbildung", "Familien"]
SEARCHES_TWO = ["Sprachkurs Frauen", "Wohnung Familien", "Ausbildung Jugendliche", "Kita Eltern"]
STATES = ["bayern", "niedersachsen", "nordrhein-westfalen", "hessen", "sachsen"]
FIELDS = ["housing", "language", "work", "school", "volunteering", "community"]
STATUSES = ["planned", "running", "ended", "permanent"]
COUNTY_LISTS = ["", "?land=bayern", "?sortierung=programme", "?mit_programmen=on&seite=2"]
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Host"] = "127.0.0.1"})
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output):
    """Requests per second, p50 and p99 in ms, and non-2xx answers from wrk --latency."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)\s*$", output, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)\s*$", output, re.MULTILINE).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, p50, p99, int(errors.group(1)) if errors else 0


def _worker_memory(master):
    """Resident memory in KiB of each gunicorn worker (the children of the master)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    memory = {}
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        memory[pid] = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))
    return memory


GUNICORN_TIMEOUT = 120


class Command(BaseCommand):
    help = "Load-tests the public pages under gunicorn with production settings (wrk)."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--port", type=int, default=8099)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--seiten",
            default="",
            help="only the pages whose name contains one of these words (comma-separated)",
        )
        parser.add_argument(
            "--redis",
            default="redis://127.0.0.1:6379/13",
            help="the shared cache, as in production (emptied before each run); '' for none",
        )

    def handle(self, *args, seconds, connections, workers, port, seed, redis, seiten, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk fehlt: apt-get install wrk")
        rng = random.Random(seed)
        pages = self._pages(rng)
        wanted = [word.strip().lower() for word in seiten.split(",") if word.strip()]
        if wanted:  # the bare view always, as the measure of the others
            pages = pages[:1] + [
                page for page in pages[1:] if any(word in page[0].lower() for word in wanted)
            ]
        env = self._environment()
        if redis:
            env["REDIS_URL"] = redis
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            check=True,
            env=env,
            cwd=settings.BASE_DIR,
        )
        self.stdout.write(
            f"{Programme.objects.count()} Programme, {workers} Worker, "
            f"{connections} Verbindungen, {seconds} s je Seite, "
            f"Cache: {redis or 'je Prozess'}"
        )
        load = {"seconds": seconds, "connections": connections, "workers": workers, "port": port}
        runs = [
            (False, "ohne Seiten-Cache (Zähl-, Such- und Nachbarwerte im Cache, der leer beginnt)"),
            (True, "mit Seiten-Cache, vorher jede Adresse einmal abgerufen (warm)"),
        ]
        for cached, title in runs:
            self.stdout.write(f"\n{title}")
            if redis:
                Redis.from_url(redis).flushdb()  # each run starts with an empty cache
            self._run(pages, {**env, "PUBLIC_PAGE_CACHE": str(cached).lower()}, load, cached)

    def _run(self, pages, env, load, warm):
        port = load["port"]
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "portal.wsgi",
                f"--workers={load['workers']}",
                f"--bind=127.0.0.1:{port}",
                # As the README's command: the open data of 100,000 programmes stream for
                # longer than gunicorn's default of 30 s, which counts the whole response.
                f"--timeout={GUNICORN_TIMEOUT}",
                "--log-level=warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            self._wait(port)
            header = ("Seite", "Anfr./s", "Anteil", "p50 ms", "p99 ms", "Fehler")
            self.stdout.write("{:<28} {:>9} {:>7} {:>8} {:>8} {:>6}".format(*header))
            bare = None
            for label, paths in pages:
                if warm:
                    for path in dict.fromkeys(paths):
                        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120)
                rate, p50, p99, errors = self._wrk(
                    port, paths, load["seconds"], load["connections"]
                )
                self._wait(port)  # requests still queued must not slow the next page
                bare = bare or rate
                self.stdout.write(
                    f"{label:<28} {rate:>9.1f} {rate / bare:>7.1%} {p50:>8.1f} {p99:>8.1f} "
                    f"{errors:>6}"
                )
            self._downloads(server.pid, port)
        finally:
            server.terminate()
            server.wait(timeout=30)

    def _downloads(self, master, port):
        """The open data, once each, with the growth of the workers' memory it causes."""
        self.stdout.write(f"{'Download':<28} {'Sekunden':>9} {'MB':>7} {'Speicher +MB':>13}")
        for path in ["/programme/daten.csv", "/programme/daten.json"]:
            before = _worker_memory(master)
            started = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=600) as answer:
                size = sum(len(chunk) for chunk in iter(lambda: answer.read(1 << 16), b""))
            seconds = time.perf_counter() - started
            after = _worker_memory(master)
            growth = max(after.get(pid, 0) - before.get(pid, 0) for pid in after) / 1024
            self.stdout.write(f"{path:<28} {seconds:>9.2f} {size / 1e6:>7.1f} {growth:>13.1f}")

    def _environment(self):
        database = connection.settings_dict
        url = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
            if connection.vendor == "postgresql"
            else f"sqlite:///{database['NAME']}"
        )
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
            "DATABASE_URL": url,
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
        }

    def _pages(self, rng):
        published = list(
            Programme.objects.published().order_by("pk").values_list("slug", flat=True)
        )
        slugs = rng.sample(published, min(200, len(published)))
        if not slugs:
            raise CommandError("Keine veröffentlichten Programme: erst generate_programmes.")
        counties = rng.sample(
            list(County.objects.order_by("pk").values_list("slug", flat=True)), 50
        )
        fields = list(FieldOfAction.objects.values_list("address", flat=True))
        three_filters = [
            f"/programme/?handlungsfeld={rng.choice(FIELDS)}&land={rng.choice(STATES)}"
            f"&status={rng.choice(STATUSES)}"
            for _ in range(50)
        ]
        return [
            ("Leere Ansicht (/ping/)", ["/ping/"]),
            ("Startseite", ["/"]),
            ("Programmliste", ["/programme/"]),
            ("Liste mit drei Filtern", three_filters),
            ("Suche, ein Wort", [f"/programme/?q={q}" for q in SEARCHES_ONE]),
            ("Suche, zwei Wörter", [f"/programme/?q={q.replace(' ', '+')}" for q in SEARCHES_TWO]),
            ("Programmseite", [f"/programme/{slug}/" for slug in slugs]),
            ("sitemap.xml", ["/sitemap.xml"]),
            ("Sitemap-Seite (Programme)", ["/sitemap-programmes.xml"]),
            ("Feed (alle Programme)", ["/feeds/programme/"]),
            ("Kreisliste", [f"/kreise/{query}" for query in COUNTY_LISTS]),
            ("Kreisseite", [f"/kreise/{slug}/" for slug in counties]),
            ("Handlungsfeld", [f"/handlungsfelder/{address}/" for address in fields]),
        ]

    def _wait(self, port):
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping/", timeout=120)
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn ist nicht gestartet.")

    def _wrk(self, port, paths, seconds, connections):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(f'"{path}"' for path in paths))
        try:
            result = subprocess.run(
                [
                    "wrk",
                    f"--connections={connections}",
                    "--threads=2",
                    f"--duration={seconds}s",
                    "--timeout=30s",
                    "--latency",
                    f"--script={script.name}",
                    f"http://127.0.0.1:{port}",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            )
        finally:
            os.unlink(script.name)
        return parse_wrk(result.stdout)
