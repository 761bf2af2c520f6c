from django.core.management.base import BaseCommand

from programmes.contact import send_reminders


class Command(BaseCommand):
    help = "Reminds counties of requests unanswered for seven days, once each. Run daily."

    def handle(self, *args, **options):
        reminded = send_reminders()
        self.stdout.write(f"{reminded} Anfragen erinnert.")
