from django.core.management.base import BaseCommand

from counties.loader import DEFAULT_CSV, load_counties


class Command(BaseCommand):
    help = "Loads or updates the 16 Länder and 400 Kreise from the Destatis CSV. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_CSV), help="CSV file to read")

    def handle(self, *args, path, **options):
        result = load_counties(path=path)
        self.stdout.write(
            f"Länder neu: {result.states_created}; Kreise neu: {result.created}, "
            f"aktualisiert: {result.updated}, unverändert: {result.unchanged}"
        )
