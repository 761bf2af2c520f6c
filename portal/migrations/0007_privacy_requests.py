"""The privacy policy says what the portal keeps of questions and study-visit requests, and
that contact persons' e-mail addresses are no longer shown. Text the editors changed keeps
their wording; the new section goes before "Ihre Rechte", or at the end."""

from django.db import migrations

OLD_CONTACTS = (
    "**Ansprechpersonen in Programmen:** Namen und dienstliche Kontaktdaten veröffentlichen "
    "die Kreise mit Einwilligung der genannten Personen, damit andere Kreise nachfragen "
    "können."
)
NEW_CONTACTS = (
    "**Ansprechpersonen in Programmen:** Namen, Funktion und dienstliche Telefonnummer "
    "veröffentlichen die Kreise mit Einwilligung der genannten Personen. Ihre E-Mail-Adresse "
    "wird nicht angezeigt: Nachrichten an sie laufen über das Portal."
)
REQUESTS = (
    "**Fragen und Hospitationsanfragen:** Wer über „Frage stellen“ oder „Hospitation "
    "anfragen“ schreibt, gibt Name, Organisation, E-Mail-Adresse und die Nachricht an, bei "
    "einer Hospitation auch Terminvorschläge und die Zahl der Besuchenden. Ohne Konto "
    "bestätigen Sie Ihre E-Mail-Adresse zuerst über einen Link; unbestätigte Anfragen werden "
    "nach 48 Stunden gelöscht. Die Nachricht erhalten die Ansprechperson des Programms und die "
    "Kreisredaktion des Kreises; die Antwort schickt das Portal an Ihre E-Mail-Adresse. Keine "
    "Seite erfährt dabei die E-Mail-Adresse der anderen. Die Redaktion des Deutschen "
    "Landkreistags sieht nur Anzahlen, keine Inhalte. Anfragen und Antworten werden 12 Monate "
    "nach ihrem Abschluss gelöscht; beantwortete Anfragen gelten nach 90 Tagen als "
    "abgeschlossen. Rechtsgrundlage ist Art. 6 Abs. 1 lit. a und e DSGVO. Die beiden "
    "Formulare setzen, wie die Anmeldung, ein technisch notwendiges Cookie zum Schutz vor "
    "gefälschten Formularen.\n\n"
)
RIGHTS = "**Ihre Rechte:**"


def add_requests(apps, schema_editor):
    SitePage = apps.get_model("portal", "SitePage")
    page = SitePage.objects.filter(kind="datenschutz").first()
    if page is None or "Hospitationsanfragen" in page.body:
        return
    body = page.body.replace(OLD_CONTACTS, NEW_CONTACTS)
    if RIGHTS in body:
        body = body.replace(RIGHTS, REQUESTS + RIGHTS, 1)
    else:
        body = body.rstrip() + "\n\n" + REQUESTS.rstrip()
    page.body = body
    page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_normalise_line_breaks")]

    operations = [migrations.RunPython(add_requests, migrations.RunPython.noop)]
