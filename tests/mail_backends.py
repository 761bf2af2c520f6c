"""A mail server that fails for some addresses, as a real one does when it is down."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FailingFor(EmailBackend):
    """Django's test outbox, except that mail to an address in `failing` raises."""

    failing = set()

    def send_messages(self, messages):
        for message in messages:
            if self.failing & set(message.to):
                raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)
