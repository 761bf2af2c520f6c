"""The privacy policy says what the Merkliste keeps and what the saved searches keep, and
when they are deleted. Text the editors changed keeps their wording; the new sections go
before "Ihre Rechte", or at the end."""

from django.db import migrations

SECTIONS = (
    "**Merkliste:** Was Sie merken, speichert das Portal ohne Konto in Ihrer Sitzung "
    "(ein technisch notwendiges Cookie, das beim Schließen des Browsers, spätestens nach acht "
    "Stunden, verfällt); angemeldeten Mitarbeitenden der Kreise in ihrem Konto, bis sie es "
    "leeren. Ein geteilter Link enthält nur die Nummern der Programme.\n\n"
    "**Suchaufträge:** Wer eine Suche per E-Mail abonniert, gibt seine E-Mail-Adresse und "
    "den Rhythmus an; gespeichert werden außerdem die Filter der Suche und welche Programme "
    "schon gemeldet wurden. Erst nach der Bestätigung über den Link in der ersten E-Mail "
    "(Double-Opt-in) versendet das Portal Zusammenfassungen; unbestätigte Suchaufträge werden "
    "nach 7 Tagen gelöscht. Jede Zusammenfassung enthält einen Link, der den Suchauftrag mit "
    "einem Klick beendet; dabei wird er mit Ihrer Adresse und allen Angaben dazu gelöscht. Über "
    "„Suchaufträge verwalten“ erhalten Sie einen Link, der alle Suchaufträge Ihrer Adresse "
    "zeigt und beendet. Mitarbeitende der Kreise, die „Kreise wie meiner“ folgen, erhalten "
    "die Zusammenfassung an die Adresse ihres Kontos. Rechtsgrundlage ist Art. 6 Abs. 1 "
    "lit. a DSGVO; die Einwilligung können Sie jederzeit widerrufen.\n\n"
)
RIGHTS = "**Ihre Rechte:**"


def add_sections(apps, schema_editor):
    SitePage = apps.get_model("portal", "SitePage")
    page = SitePage.objects.filter(kind="datenschutz").first()
    if page is None or "Suchaufträge" in page.body:
        return
    if RIGHTS in page.body:
        page.body = page.body.replace(RIGHTS, SECTIONS + RIGHTS, 1)
    else:
        page.body = page.body.rstrip() + "\n\n" + SECTIONS.rstrip()
    page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_privacy_requests")]

    operations = [migrations.RunPython(add_sections, migrations.RunPython.noop)]
