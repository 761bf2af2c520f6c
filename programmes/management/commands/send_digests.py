from django.core.management.base import BaseCommand, CommandError

from programmes.digests import send_digests


class Command(BaseCommand):
    help = (
        "Mails each due saved search what was published or substantially updated since it "
        "was confirmed and has not been reported yet, and nothing when there is nothing new; "
        "deletes saved searches left "
        "unconfirmed for seven days. Run daily: a weekly search is due every seven days, a "
        "monthly one every thirty."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--alle",
            action="store_true",
            help="Check every confirmed saved search now, whether due or not.",
        )

    def handle(self, *args, **options):
        sent, reported, failed = send_digests(every=options["alle"])
        self.stdout.write(f"{sent} Zusammenfassungen mit {reported} Programmen versandt.")
        if failed:
            raise CommandError(
                f"{failed} Zusammenfassungen nicht versandt (Gründe im Protokoll); der nächste "
                "Lauf versucht sie erneut."
            )
