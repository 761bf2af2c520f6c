"""Fills a database with realistic generated programmes for load tests, and keeps them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py generate_programmes --count 10000

Texts are drawn from a German vocabulary with a Zipf distribution (a few words very often,
most rarely, as in real text): the domain's own words at the top ranks, then a fixed-seed
sample of Debian's word list (`wngerman`, /usr/share/dict/ngerman) when it is installed.
Descriptions have 150–400 words, a fifth of the programmes have a recognised best-practice
profile. The same seed gives the same programmes. Earlier generated programmes (slugs
starting with "gen-") are replaced; nothing else is touched. Never run it against production.
"""

import itertools
import random
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from counties.loader import load_counties
from counties.models import County
from portal.cache import bump, bump_structure
from programmes.enums import FundingLevel, ProgrammeStatus, PublicationState
from programmes.models import (
    BestPracticeProfile,
    FieldOfAction,
    Funding,
    PartnerKind,
    Programme,
    TargetGroup,
)
from programmes.search import update_search_vectors

SLUG_PREFIX = "gen-"
WORD_LIST = Path("/usr/share/dict/ngerman")
VOCABULARY_SIZE = 5_000
DOMAIN_SPREAD = 500
ZIPF_EXPONENT = 1.07
BATCH = 1_000

FUNCTION_WORDS = [
    "und",
    "der",
    "die",
    "das",
    "für",
    "mit",
    "in",
    "im",
    "von",
    "zu",
    "auf",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einer",
    "einem",
    "sich",
    "als",
    "auch",
    "bei",
    "nach",
    "aus",
    "wird",
    "werden",
    "sind",
    "ist",
    "an",
    "oder",
    "zum",
    "zur",
    "über",
    "durch",
    "vor",
    "so",
    "wie",
    "mehr",
]
DOMAIN_WORDS = [
    "Integration",
    "Sprachkurs",
    "Sprachkurse",
    "Integrationskurs",
    "Wohnung",
    "Wohnraum",
    "Vermieter",
    "Familien",
    "Geflüchtete",
    "Flüchtlinge",
    "Zugewanderte",
    "Ehrenamt",
    "Ehrenamtliche",
    "Patenschaft",
    "Patenschaften",
    "Lotsen",
    "Mentoring",
    "Ausbildung",
    "Ausbildungsplatz",
    "Arbeit",
    "Arbeitsmarkt",
    "Jobcenter",
    "Agentur",
    "Beratung",
    "Anerkennung",
    "Abschlüsse",
    "Schule",
    "Schülerinnen",
    "Schüler",
    "Kita",
    "Kinderbetreuung",
    "Eltern",
    "Elternarbeit",
    "Frauen",
    "Jugendliche",
    "Begegnung",
    "Begegnungscafé",
    "Netzwerk",
    "Gemeinden",
    "Landkreis",
    "Kreisverwaltung",
    "Integrationsbeauftragte",
    "Volkshochschule",
    "Caritas",
    "Diakonie",
    "Verein",
    "Vereine",
    "Sport",
    "Kultur",
    "Fachkräfte",
    "Arbeitgeber",
    "Betriebe",
    "Praktikum",
    "Qualifizierung",
    "Fallmanagement",
    "Sprachmittler",
    "Dolmetscher",
    "Unterkunft",
    "Gemeinschaftsunterkunft",
    "Teilhabe",
    "Gesundheit",
    "Förderung",
    "Fördermittel",
    "Koordinierung",
    "Koordinierungsstelle",
    "Willkommen",
    "Ankommen",
    "Alltag",
    "Nachbarschaft",
    "Quartier",
    "Ukraine",
    "Syrien",
    "Afghanistan",
    "Bildungsberatung",
    "Berufsschule",
    "Ausbildungsbegleitung",
    "Kammer",
    "Handwerk",
    "Pflege",
    "Mobilität",
    "Führerschein",
    "Bus",
    "Ehrenamtskoordination",
]
KEYWORDS = [
    "Sprachcafé",
    "Patenschaft",
    "Integrationslotsen",
    "Wohnraumvermittlung",
    "Jobcoaching",
    "Ausbildungsbegleitung",
    "Elterncafé",
    "Frauenkurs",
    "Kinderbetreuung",
    "Anerkennungsberatung",
    "Sprachmittlung",
    "Ehrenamtskoordination",
    "Begegnungsfest",
    "Mentoring",
    "Integrationspreis",
    "Willkommenszentrum",
    "Fachkräftesicherung",
    "Berufsorientierung",
    "Hausaufgabenhilfe",
    "Sportverein",
    "Gesundheitslotsen",
    "Mobilität",
    "Führerschein",
    "Integration Point",
    "Stipendium",
    "Frauencafé",
    "Nähwerkstatt",
    "Repair-Café",
    "Fahrradwerkstatt",
    "Mieterführerschein",
]
TITLE_HEADS = [
    "Sprachcafé",
    "Lotsenprogramm",
    "Wohnraumbörse",
    "Jobbrücke",
    "Patenschaftsprojekt",
    "Elternschule",
    "Willkommenszentrum",
    "Ausbildungsnetzwerk",
    "Begegnungsort",
    "Integrationsnetzwerk",
    "Mentoringprogramm",
    "Beratungsstelle",
    "Frauentreff",
    "Jugendwerkstatt",
    "Kursbörse",
]


def _vocabulary(rng):
    """Function words at the top ranks, then a fixed sample of the German word list with
    the domain's words spread over its first few hundred ranks: a word like "Sprachkurs"
    then occurs in about one programme text of ten, as in real collections."""
    words = []
    if WORD_LIST.exists():
        candidates = [
            word
            for word in WORD_LIST.read_text(encoding="utf-8").split()
            if 4 <= len(word) <= 18 and word.isalpha() and word not in DOMAIN_WORDS
        ]
        words = rng.sample(candidates, min(VOCABULARY_SIZE, len(candidates)))
    for word in DOMAIN_WORDS:
        words.insert(rng.randint(0, DOMAIN_SPREAD), word)
    return FUNCTION_WORDS + words


class Text:
    def __init__(self, rng):
        self.rng = rng
        self.words = _vocabulary(rng)
        weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, count):
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, low=8, high=18):
        words = self.draw(self.rng.randint(low, high))
        return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]]) + "."

    def paragraph(self, words):
        sentences, count = [], 0
        while count < words:
            sentence = self.sentence()
            sentences.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(sentences)


def profile(programme_id, text, **fields):
    """A recognised best-practice profile of realistic length for a generated programme."""
    return BestPracticeProfile(
        programme_id=programme_id,
        starting_situation=text.paragraph(60),
        approach=text.paragraph(80),
        results=text.paragraph(50),
        success_factors=text.paragraph(40),
        obstacles=text.paragraph(40),
        transfer_staff=text.sentence(),
        transfer_money=text.sentence(),
        transfer_partners=text.sentence(),
        transfer_time=text.sentence(),
        is_recognised=True,
        **fields,
    )


class Command(BaseCommand):
    help = "Creates realistic generated programmes for load tests and keeps them."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-different",
            action="store_true",
            help="Keep the generated programmes that are there if their number matches.",
        )

    def handle(self, *args, count, seed, if_different, **options):
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError(
                "Nur für eine Benchmark-Datenbank (ihr Name muss „bench“ enthalten)."
            )
        existing = Programme.objects.filter(slug__startswith=SLUG_PREFIX).count()
        if if_different and existing == count:
            self.stdout.write(f"{count} erzeugte Programme sind schon da.")
            return
        started = time.perf_counter()
        rng = random.Random(seed)
        if not County.objects.exists():
            load_counties()
        with transaction.atomic():
            Programme.objects.filter(slug__startswith=SLUG_PREFIX).delete()
            ids = self._generate(count, rng)
        for start in range(0, len(ids), BATCH):
            update_search_vectors(ids[start : start + BATCH])
        bump()  # bulk writes send no signals: cached pages must not outlive them
        bump_structure()  # nor the kept related programmes (update_neighbours)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        self.stdout.write(
            f"{count} Programme erzeugt und indexiert in {time.perf_counter() - started:.0f} s."
        )

    def _generate(self, count, rng):
        text = Text(rng)
        counties = list(County.objects.order_by("ags"))
        now = timezone.now()
        states = [PublicationState.PUBLISHED] * 18 + [PublicationState.DRAFT] * 2
        programmes = []
        for index in range(count):
            head = rng.choice(TITLE_HEADS)
            title = f"{head} {' '.join(text.draw(rng.randint(1, 3)))}"[:190]
            state = rng.choice(states)
            programmes.append(
                Programme(
                    county=rng.choice(counties),
                    title=title,
                    slug=f"{SLUG_PREFIX}{index}",
                    summary=text.paragraph(20)[:290],
                    description="\n\n".join(
                        text.paragraph(rng.randint(60, 130)) for _ in range(rng.randint(2, 3))
                    ),
                    goals=text.paragraph(30),
                    partner_names=", ".join(text.draw(3)),
                    status=rng.choice(ProgrammeStatus.values),
                    publication_state=state,
                    published_at=(
                        now - timedelta(days=rng.randint(0, 1500))
                        if state == PublicationState.PUBLISHED
                        else None
                    ),
                )
            )
        created = Programme.objects.bulk_create(programmes, batch_size=BATCH)
        self._relations(created, rng)
        self._profiles(created, rng, text)
        return [programme.pk for programme in created]

    def _relations(self, programmes, rng):
        fields = list(FieldOfAction.objects.all())
        groups = list(TargetGroup.objects.all())
        kinds = list(PartnerKind.objects.all())
        tags = [Tag.objects.get_or_create(name=name)[0] for name in KEYWORDS]
        content_type = TaggedItem.content_type.field.related_model.objects.get_for_model(Programme)
        rows = {Programme.fields_of_action.through: [], Programme.target_groups.through: []}
        rows[Programme.partner_kinds.through] = []
        items, fundings = [], []
        for programme in programmes:
            for field in rng.sample(fields, rng.randint(1, 3)):
                rows[Programme.fields_of_action.through].append(
                    Programme.fields_of_action.through(programme=programme, fieldofaction=field)
                )
            for group in rng.sample(groups, rng.randint(1, 3)):
                rows[Programme.target_groups.through].append(
                    Programme.target_groups.through(programme=programme, targetgroup=group)
                )
            for kind in rng.sample(kinds, rng.randint(1, 3)):
                rows[Programme.partner_kinds.through].append(
                    Programme.partner_kinds.through(programme=programme, partnerkind=kind)
                )
            for tag in rng.sample(tags, rng.randint(2, 5)):
                items.append(TaggedItem(tag=tag, content_type=content_type, object_id=programme.pk))
            for _ in range(rng.randint(0, 2)):
                fundings.append(
                    Funding(
                        programme=programme,
                        level=rng.choice(FundingLevel.values),
                        programme_name=rng.choice(["AMIF", "ESF Plus", "Landesprogramm", ""]),
                        amount=rng.randint(5, 200) * 1000,
                    )
                )
        for through, objects in rows.items():
            through.objects.bulk_create(objects, batch_size=5 * BATCH)
        TaggedItem.objects.bulk_create(items, batch_size=5 * BATCH)
        Funding.objects.bulk_create(fundings, batch_size=5 * BATCH)

    def _profiles(self, programmes, rng, text):
        chosen = [p for p in programmes if rng.random() < 0.2]
        BestPracticeProfile.objects.bulk_create(
            [profile(programme.pk, text, is_featured=rng.random() < 0.02) for programme in chosen],
            batch_size=BATCH,
        )
