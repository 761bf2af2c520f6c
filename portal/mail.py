"""E-mails of the portal: German plain text with an HTML part rendered from the same text,
so that both say the same and every link works in either."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string


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
