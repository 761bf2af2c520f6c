"""E-mails of the portal: German plain text with an HTML part rendered from the same text,
so that both say the same and every link works in either."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def one_line(subject):
    """A header is one line, whatever a title holds."""
    return " ".join(str(subject).split())


def message(subject, text, to, *, reply_to=None, html=None, headers=None):
    """A mail; `html` where a template of its own says it better than the text does (real
    headings, links named by what they open)."""
    subject = one_line(subject)
    mail = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, list(to), reply_to=reply_to, headers=headers
    )
    if html is None:
        html = render_to_string("email/message.html", {"subject": subject, "text": text})
    mail.attach_alternative(html, "text/html")
    return mail


def send(messages):
    """Send over one connection; raises what the mail server raises."""
    if messages:
        get_connection().send_messages(messages)


def send_after_commit(messages, on_failure=None):
    """Send once the surrounding transaction has committed. A mail server that fails is
    logged and reported through `on_failure`; it never undoes what was stored, and never
    ends in an error page."""

    def deliver():
        try:
            send(messages)
        except Exception:  # each mail backend raises its own errors
            logger.exception("Mail not sent: %s", ", ".join(m.subject for m in messages))
            if on_failure is not None:
                on_failure()

    transaction.on_commit(deliver)
