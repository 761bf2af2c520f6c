"""First text of the legal pages. Editors change it in the admin; the operator's
name, address and contacts are added from settings when the page is shown."""

from django.db import migrations

PAGES = {
    "impressum": (
        "Impressum",
        "Dieses Portal sammelt Programme und Praxisbeispiele der Kreise zur Integration von "
        "Geflüchteten und anderen Zugewanderten.\n\n"
        "**Verantwortung für Inhalte:** Die Beschreibungen der Programme und die Profile der "
        "Kreise verantworten die jeweiligen Kreisverwaltungen. Die Redaktion des Portals prüft "
        "Praxisbeispiele vor ihrer Hervorhebung, kann aber nicht jede Angabe nachprüfen.\n\n"
        "**Links:** Für die Inhalte verlinkter Seiten sind deren Betreiber verantwortlich.\n\n"
        "**Daten und Lizenzen:** Woher die amtlichen Zahlen stammen und unter welchen Lizenzen "
        "Daten und Gestaltung stehen, steht auf der Seite "
        "[Datenquellen und Lizenzen](/datenquellen/).",
    ),
    "datenschutz": (
        "Datenschutzerklärung",
        "Wir verarbeiten so wenige personenbezogene Daten wie möglich.\n\n"
        "**Besuch der öffentlichen Seiten:** Für die Auslieferung der Seiten verarbeitet der "
        "Server technisch notwendige Angaben (IP-Adresse, Zeitpunkt, aufgerufene Adresse, "
        "Browserkennung). Sie dienen dem sicheren Betrieb (Art. 6 Abs. 1 lit. e und f DSGVO) "
        "und werden nach spätestens 14 Tagen gelöscht. Es gibt keine Nutzungsanalyse, keine "
        "Werbung und keine Inhalte von Drittanbietern; Schriften und Gestaltung werden vom "
        "eigenen Server geladen.\n\n"
        "**Cookies:** Öffentliche Seiten setzen keine Cookies. Nur wer sich als Redakteurin "
        "oder Redakteur anmeldet, erhält ein Sitzungs-Cookie und ein Cookie zum Schutz der "
        "Formulare; beide sind technisch notwendig.\n\n"
        "**Ansprechpersonen in Programmen:** Namen und dienstliche Kontaktdaten veröffentlichen "
        "die Kreise mit Einwilligung der genannten Personen, damit andere Kreise nachfragen "
        "können. Eine Löschung kann jederzeit beim zuständigen Kreis oder bei uns verlangt "
        "werden.\n\n"
        "**Ihre Rechte:** Sie haben das Recht auf Auskunft, Berichtigung, Löschung, "
        "Einschränkung der Verarbeitung und Widerspruch sowie das Recht auf Beschwerde bei "
        "einer Datenschutz-Aufsichtsbehörde.",
    ),
    "barrierefreiheit": (
        "Erklärung zur Barrierefreiheit",
        "Wir möchten, dass alle Menschen dieses Portal nutzen können. Maßstab sind die "
        "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und die Web Content "
        "Accessibility Guidelines (WCAG) 2.1 in der Stufe AA.\n\n"
        "**Stand der Vereinbarkeit:** Die öffentlichen Seiten sind weitgehend barrierefrei. "
        "Sie verwenden das Designsystem KERN der öffentlichen Verwaltung und werden bei jeder "
        "Änderung automatisch mit axe-core geprüft.\n\n"
        "**Nicht barrierefreie Inhalte:** Von den Kreisen verlinkte Dokumente, vor allem "
        "ältere PDF-Dateien, sind teilweise nicht barrierefrei. Bilder in Programmen haben "
        "Textalternativen, die die Kreise selbst verfassen.\n\n"
        "**Barriere melden:** Wenn Ihnen eine Barriere auffällt oder Sie Inhalte in einer "
        "anderen Form brauchen, schreiben Sie uns an die unten genannte Adresse. Wir antworten "
        "innerhalb von zwei Wochen.\n\n"
        "**Schlichtungsverfahren:** Erhalten Sie keine zufriedenstellende Antwort, können Sie "
        "sich an die [Schlichtungsstelle nach dem Behindertengleichstellungsgesetz]"
        "(https://www.schlichtungsstelle-bgg.de/) wenden.",
    ),
    "datenquellen": (
        "Datenquellen und Lizenzen",
        "**Amtliche Daten der Kreise:** Namen, Schlüssel, Fläche und Einwohnerzahl aller 400 "
        "Kreise stammen aus dem Gemeindeverzeichnis-Informationssystem GV-ISys des "
        "Statistischen Bundesamtes, Tabelle »Kreisfreie Städte und Landkreise nach Fläche, "
        "Bevölkerung und Bevölkerungsdichte«, Stand 31.12.2018. Quelle: © Statistisches "
        "Bundesamt (Destatis), 2019, lizenziert unter der [Datenlizenz Creative Commons "
        "Namensnennung 4.0 (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/deed.de).\n\n"
        "**Änderung:** Die kreisfreie Stadt Eisenach gehört seit dem 1. Juli 2021 zum "
        "Wartburgkreis. Ihre Fläche und Einwohnerzahl sind dem Wartburgkreis zugerechnet, so "
        "dass die Zahlen den heutigen Gebietsstand mit den Werten von 2018 beschreiben. Die "
        "Bevölkerungsdichte berechnet das Portal aus Einwohnerzahl und Fläche.\n\n"
        "**Gestaltung:** Das Portal nutzt das Designsystem KERN (Paket @kern-ux/native, "
        "Lizenz EUPL 1.2) mit den Schriften Fira Sans und Noto Sans (SIL Open Font License).\n\n"
        "**Inhalte der Kreise:** Programme und Praxisbeispiele stellen die Kreise zur "
        "Verfügung, damit andere Kreise von ihnen lernen können.",
    ),
}


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("portal", "SitePage")
    for kind, (title, body) in PAGES.items():
        SitePage.objects.get_or_create(kind=kind, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
