"""Related and comparable programmes are worked out ahead and kept (programmes.neighbours):
what they depend on changing shows on the next visit, edits of texts cost no new work."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from portal.cache import structure_version
from programmes.models import Attachment, Neighbours
from tests.factories import CountyFactory, FundingFactory, ProgrammeFactory, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rendered_each_time(settings):
    settings.PUBLIC_PAGE_CACHE = False  # each visit renders the page from the kept ids


def related(client, programme):
    return list(client.get(programme.get_absolute_url()).context["related"])


def test_a_text_edit_keeps_the_ids_and_shows_at_once(client, django_assert_max_num_queries):
    programme = ProgrammeFactory(fields=["language"])
    neighbour = ProgrammeFactory(fields=["language"], title="Sprachcafé")
    assert related(client, programme) == [neighbour]
    kept = Neighbours.objects.get(programme=programme)
    neighbour.title = "Sprachcafé am Markt"
    neighbour.summary = "Ganz neu beschrieben."
    neighbour.save()
    assert structure_version() == kept.version
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "Sprachcafé am Markt" in page
    kept.refresh_from_db()
    assert kept.related == [neighbour.pk]


def test_a_newly_published_programme_is_related_on_the_next_visit(client):
    programme = ProgrammeFactory(fields=["language"])
    programme.keywords.add("Patenschaft")
    only_field = ProgrammeFactory(fields=["language"])
    assert related(client, programme) == [only_field]
    draft = ProgrammeFactory(fields=["language"], draft=True)
    draft.keywords.add("Patenschaft")
    assert related(client, programme) == [only_field]
    draft.publication_state = "published"
    draft.save()
    assert related(client, programme) == [draft, only_field]


def test_a_withdrawn_or_deleted_programme_leaves_at_once(client):
    programme = ProgrammeFactory(fields=["language"])
    first = ProgrammeFactory(fields=["language"])
    second = ProgrammeFactory(fields=["language"])
    assert set(related(client, programme)) == {first, second}
    first.publication_state = "draft"
    first.save()
    assert related(client, programme) == [second]
    second.delete()
    assert related(client, programme) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda programme, county: programme.keywords.add("Lesepaten"),
        lambda programme, county: programme.fields_of_action.clear(),
        lambda programme, county: setattr(county, "population", 99_000) or county.save(),
        lambda programme, county: setattr(programme, "county", CountyFactory()) or programme.save(),
    ],
    ids=["keyword", "fields of action", "county figures", "moved to another county"],
)
def test_what_the_ids_depend_on_raises_the_structure_version(change):
    county = CountyFactory()
    programme = ProgrammeFactory(county=county, fields=["language"])
    before = structure_version()
    change(programme, county)
    assert structure_version() > before


def test_saving_unchanged_raises_nothing():
    programme = ProgrammeFactory(fields=["language"])
    before = structure_version()
    programme.description = "Anders beschrieben."
    programme.save()
    assert structure_version() == before


def test_the_command_works_out_only_what_is_due(client):
    programme = ProgrammeFactory(fields=["language"])
    neighbour = ProgrammeFactory(fields=["language"])
    ProgrammeFactory(fields=["work"], draft=True)
    out = StringIO()
    call_command("update_neighbours", stdout=out)
    assert "von 2 Programmen" in out.getvalue()
    kept = Neighbours.objects.get(programme=programme)
    assert kept.related == [neighbour.pk] and kept.version == structure_version()
    call_command("update_neighbours", stdout=out)
    assert "von 0 Programmen" in out.getvalue()
    call_command("update_neighbours", "--alle", stdout=out)
    assert out.getvalue().count("von 2 Programmen") == 2


def test_a_page_with_kept_ids_does_not_work_them_out(client, django_assert_num_queries):
    programme = ProgrammeFactory(fields=["language"])
    ProgrammeFactory(fields=["language"])
    call_command("update_neighbours", stdout=StringIO())
    client.get(programme.get_absolute_url())  # the values kept per content version
    # The versions, the programme, the cards, and one statement for the terms of the
    # programme and the cards, its fundings, documents and take-overs (programmes.terms).
    with django_assert_num_queries(4):
        page = client.get(programme.get_absolute_url()).content.decode()
    assert 'id="attachments-heading"' not in page and 'id="funding-heading"' not in page
    # Fundings and documents come with the same statement, in the order the database gives
    # the relations (a year left open and the collation of titles included).
    for title in ["Übersicht", "evaluation 2024", "Flyer zum Kurs"]:
        document = Attachment(programme=programme, title=title)
        document.file.save("doc.pdf", SimpleUploadedFile("doc.pdf", pdf_bytes()))
    FundingFactory(programme=programme, programme_name="AMIF", start_year=2023, amount=12500)
    FundingFactory(programme=programme, programme_name="ESF Plus", start_year=2021, amount=None)
    FundingFactory(programme=programme, programme_name="Stiftung", start_year=None)
    client.get(programme.get_absolute_url())
    with django_assert_num_queries(4):
        page = client.get(programme.get_absolute_url()).content.decode()

    def shown(texts):
        return sorted(texts, key=page.index)

    documents = list(programme.attachments.all())
    assert shown([document.title for document in documents]) == [d.title for d in documents]
    assert all(f'href="{document.get_absolute_url()}">' in page for document in documents)
    fundings = [funding.programme_name for funding in programme.fundings.all()]
    assert shown(fundings) == fundings
    assert "12.500 €" in page


def test_the_batch_of_the_command_gives_what_a_page_works_out(monkeypatch):
    """update_neighbours scores the candidates in Python; the page asks the database. Both
    must give the same programmes in the same order."""
    import datetime
    import random

    from django.utils import timezone

    from programmes import related
    from programmes.models import Programme
    from programmes.neighbours import Batch, work_out

    monkeypatch.setattr(related, "RECENT", 12)  # some candidates from outside the window
    rng = random.Random(7)
    counties = [CountyFactory(population=50_000 + 20_000 * index) for index in range(5)]
    fields = ["housing", "work", "school", "language", "community"]
    now = timezone.now()
    for index in range(40):
        programme = ProgrammeFactory(
            county=rng.choice(counties),
            fields=rng.sample(fields, rng.randint(1, 3)),
            published_at=now - datetime.timedelta(hours=index * 7),
            draft=index % 9 == 0,
        )
        programme.keywords.add(
            *rng.sample(["Paten", "Sprache", "Kita", "Arbeit"], rng.randint(0, 2))
        )
    batch = Batch()
    published = Programme.objects.published().select_related("county")
    assert published.count() > 30
    for programme in published:
        assert batch.work_out(programme) == work_out(programme), programme.title


def test_a_page_shows_its_neighbours_when_they_cannot_be_kept(client, monkeypatch):
    """Keeping the worked-out ids is a saving: a busy or failing write never breaks the page."""
    from django.db import OperationalError

    from programmes.models import Neighbours

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(Neighbours.objects, "bulk_create", busy)
    programme = ProgrammeFactory(fields=["language"])
    neighbour = ProgrammeFactory(fields=["language"])
    assert related(client, programme) == [neighbour]
    assert not Neighbours.objects.exists()
