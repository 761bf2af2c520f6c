import importlib
import io

import factory
from django.utils import timezone
from pypdf import PdfWriter

from counties.models import County, CountyCategory, State
from portal.text import german_sort_key
from programmes.enums import ProgrammeStatus, PublicationState
from programmes.models import (
    BestPracticeProfile,
    ContactRequest,
    FieldOfAction,
    Funding,
    Programme,
    RequestKind,
    RequestState,
)


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 16 + 1:02d}")
    name = factory.LazyAttribute(lambda o: f"Land {o.code}")
    slug = factory.LazyAttribute(lambda o: f"land-{o.code}")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    state = factory.SubFactory(StateFactory)
    ags = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Landkreis Beispiel {n}")
    official_kind = "Landkreis"
    category = CountyCategory.LANDKREIS
    nuts3 = "DE000"
    area_km2 = 1000
    population = 150000
    slug = factory.Sequence(lambda n: f"landkreis-beispiel-{n}")
    sort_name = factory.LazyAttribute(lambda o: german_sort_key(o.name))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    county = factory.SubFactory(CountyFactory)
    title = factory.Sequence(lambda n: f"Programm {n}")
    slug = factory.Sequence(lambda n: f"programm-{n}")
    summary = "Kurzbeschreibung des Programms."
    description = "Beschreibung des Programms."
    status = ProgrammeStatus.RUNNING
    publication_state = PublicationState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def fields(self, create, extracted, **kwargs):
        """fields=["housing", ...] by slug; by default the first field of action."""
        if create:
            slugs = extracted if extracted is not None else ["housing"]
            self.fields_of_action.set(FieldOfAction.objects.filter(slug__in=slugs))

    class Params:
        draft = factory.Trait(publication_state=PublicationState.DRAFT, published_at=None)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    programme = factory.SubFactory(ProgrammeFactory)
    level = "state"
    programme_name = "Landesprogramm Integration"


class BestPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BestPracticeProfile

    programme = factory.SubFactory(ProgrammeFactory)
    starting_situation = "Ausgangslage."
    approach = "Vorgehen."
    results = "Ergebnisse."
    success_factors = "Erfolgsfaktoren."
    obstacles = "Stolpersteine."
    transfer_staff = "Eine halbe Stelle."
    transfer_money = "30.000 Euro im Jahr."
    transfer_partners = "Jobcenter, Gemeinden."
    transfer_time = "Sechs Monate."
    is_recognised = True


def pdf_bytes():
    """A real one-page PDF, as an upload would carry it."""
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


def recreate_migration_data():
    """A transactional test empties every table afterwards, the rows of data migrations
    included (roles, fields of action, site pages); tests that commit data for another
    process put them back first, with the migrations' own code."""
    from django.apps import apps

    for module, function in [
        ("programmes.migrations.0002_controlled_terms", "create_terms"),
        ("portal.migrations.0002_site_pages", "create_pages"),
        ("portal.migrations.0003_roles", "create_roles"),
        ("portal.migrations.0004_sync_roles", "sync"),
        ("programmes.migrations.0015_search_index_and_synonym_list", "create_synonyms"),
        ("programmes.migrations.0020_staff_roles", "create_roles"),
        ("portal.migrations.0007_privacy_requests", "add_requests"),
        ("portal.migrations.0008_privacy_merkliste_subscriptions", "add_sections"),
    ]:
        getattr(importlib.import_module(module), function)(apps, None)


class ContactRequestFactory(factory.django.DjangoModelFactory):
    """A question, confirmed and open, unless told otherwise."""

    class Meta:
        model = ContactRequest

    programme = factory.SubFactory(ProgrammeFactory, contact_email="kontakt@kreis.example")
    kind = RequestKind.QUESTION
    state = RequestState.OPEN
    sender_name = "Jana Beispiel"
    sender_organisation = "Stadt Musterhausen"
    sender_email = "jana@musterhausen.example"
    message = "Wie fangen wir an?"
