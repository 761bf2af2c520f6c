"""The controlled vocabularies: six fields of action, target groups, kinds of partners.

They are content in German (the portal's language), not interface strings.
"""

from django.db import migrations

FIELDS_OF_ACTION = [
    ("housing", "Wohnen",
     "Unterbringung und Wohnraum: dezentrales Wohnen, Wohnungssuche, Beratung von "
     "Vermieterinnen und Vermietern, Begleitung beim Einzug."),
    ("language", "Sprache",
     "Sprachförderung vom ersten Kontakt bis zum Beruf: Koordinierung der Kursangebote, "
     "Kinderbetreuung während der Kurse, Sprach- und Kulturmittlung."),
    ("work", "Arbeit und Ausbildung",
     "Der Weg in Arbeit und Ausbildung: Beratung, Anerkennung von Abschlüssen, "
     "Zusammenarbeit mit Arbeitgebern, Kammern, Jobcenter und Agentur für Arbeit."),
    ("school", "Schule und Bildung",
     "Frühe Bildung, Schule und Weiterbildung: Bildungsberatung, Unterstützung von "
     "Familien, Kitas und Schulen, nachholende Bildung für Erwachsene."),
    ("volunteering", "Ehrenamt",
     "Freiwilliges Engagement: Gewinnung, Koordinierung, Qualifizierung und "
     "Anerkennung von Ehrenamtlichen, Lotsen- und Patenschaftsprogramme."),
    ("community", "Gesellschaftliches Zusammenleben",
     "Begegnung, Kultur, Sport und Teilhabe: Netzwerke vor Ort, Werte und Demokratie, "
     "Beteiligung von Zugewanderten und Aufnahmegesellschaft."),
]

TARGET_GROUPS = [
    ("asylum-seekers", "Asylsuchende"),
    ("recognised-refugees", "Anerkannte Schutzberechtigte"),
    ("tolerated", "Geduldete"),
    ("ukraine", "Schutzsuchende aus der Ukraine"),
    ("eu-migrants", "EU-Zugewanderte"),
    ("skilled-workers", "Fachkräfte aus Drittstaaten"),
    ("children", "Kinder"),
    ("young-people", "Jugendliche und junge Erwachsene"),
    ("unaccompanied-minors", "Unbegleitete Minderjährige"),
    ("women", "Frauen"),
    ("families", "Familien"),
    ("older-people", "Ältere Menschen"),
    ("disabled-people", "Menschen mit Behinderung"),
    ("volunteers-host-society", "Ehrenamtliche und Aufnahmegesellschaft"),
    ("administration", "Verwaltung"),
]

PARTNER_KINDS = [
    ("municipalities", "Gemeinden"),
    ("welfare", "Wohlfahrtsverbände"),
    ("associations", "Vereine"),
    ("religious", "Religionsgemeinschaften"),
    ("migrant-organisations", "Migrantenorganisationen"),
    ("jobcenter", "Jobcenter"),
    ("employment-agency", "Agentur für Arbeit"),
    ("adult-education", "Volkshochschule"),
    ("chambers", "Kammern"),
    ("schools", "Schulen"),
    ("employers", "Arbeitgeber"),
]


def create_terms(apps, schema_editor):
    FieldOfAction = apps.get_model("programmes", "FieldOfAction")
    for position, (slug, name, description) in enumerate(FIELDS_OF_ACTION, start=1):
        FieldOfAction.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for model_name, terms in (("TargetGroup", TARGET_GROUPS), ("PartnerKind", PARTNER_KINDS)):
        model = apps.get_model("programmes", model_name)
        for position, (slug, name) in enumerate(terms, start=1):
            model.objects.update_or_create(
                slug=slug, defaults={"name": name, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(create_terms, migrations.RunPython.noop)]
