from django.core.management.base import BaseCommand

from programmes.reminders import send_confirmation_reminders


class Command(BaseCommand):
    help = "Reminds county staff of entries not confirmed for a year. Run daily from cron."

    def handle(self, *args, **options):
        sent = send_confirmation_reminders()
        self.stdout.write(f"{sent} Erinnerungen versendet.")
