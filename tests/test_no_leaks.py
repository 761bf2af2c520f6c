"""Nothing that is not public leaks through derived data: keyword choices, "Meinten Sie …?",
the search index of profiles the editors have not recognised, highlighted snippets; and
uploads are what they claim to be."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag

from programmes import services
from programmes.enums import PublicationState as State
from programmes.models import Programme, SearchTerm
from programmes.validators import validate_pdf
from tests.factories import BestPracticeFactory, ProgrammeFactory, pdf_bytes

pytestmark = pytest.mark.django_db
LIST_URL = reverse("programmes:programme-list")
NOT_PUBLIC = [State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.ARCHIVED]


def keyword_choices(client):
    form = client.get(LIST_URL).context["filter"].form
    return {str(label) for _value, label in form.fields["schlagwort"].choices}


class TestKeywordChoices:
    @pytest.mark.parametrize("state", NOT_PUBLIC)
    def test_keywords_of_programmes_that_are_not_public_are_not_offered(self, client, state):
        ProgrammeFactory(publication_state=state).keywords.add("Geheimplan")
        ProgrammeFactory().keywords.add("Patenschaft")
        choices = keyword_choices(client)
        assert not any("Geheimplan" in choice for choice in choices)
        assert any("Patenschaft" in choice for choice in choices)

    def test_a_keyword_of_a_draft_in_the_address_is_ignored(self, client):
        ProgrammeFactory(draft=True).keywords.add("Geheimplan")
        ProgrammeFactory(title="Öffentlich")
        response = client.get(LIST_URL, {"schlagwort": "geheimplan"})
        assert [p.title for p in response.context["object_list"]] == ["Öffentlich"]

    def test_a_keyword_removed_from_its_last_programme_is_deleted(self):
        programme = ProgrammeFactory()
        programme.keywords.add("Tippfehlr", "Patenschaft")
        ProgrammeFactory().keywords.add("Patenschaft")
        programme.keywords.set(["Patenschaft"])
        assert set(Tag.objects.values_list("name", flat=True)) == {"Patenschaft"}

    def test_keywords_of_a_deleted_programme_are_deleted(self):
        ProgrammeFactory(draft=True).keywords.add("Nur im Entwurf")
        ProgrammeFactory().keywords.add("Geteilt")
        shared = ProgrammeFactory(draft=True)
        shared.keywords.add("Geteilt")
        for programme in Programme.objects.filter(publication_state=State.DRAFT):
            programme.delete()
        assert set(Tag.objects.values_list("name", flat=True)) == {"Geteilt"}


def suggestion_for(client, text):
    return client.get(LIST_URL, {"q": text}).context.get("corrected")


class TestSuggestionVocabulary:
    @pytest.mark.parametrize("state", NOT_PUBLIC)
    def test_words_of_programmes_that_are_not_public_are_never_suggested(self, client, state):
        ProgrammeFactory(publication_state=state, title="Geheimkonferenz Weltraumhafen")
        assert suggestion_for(client, "Weltrumhafen") is None
        assert not SearchTerm.objects.filter(term="weltraumhafen").exists()

    def test_vocabulary_follows_publication_archiving_and_deletion(self, client, editor):
        programme = ProgrammeFactory(draft=True, title="Weltraumhafen für alle")
        assert suggestion_for(client, "Weltrumhafen") is None
        services.programme_publish(programme=programme, user=editor)
        assert suggestion_for(client, "Weltrumhafen") == "weltraumhafen"
        services.programme_archive(programme=programme, user=editor)
        assert suggestion_for(client, "Weltrumhafen") is None
        services.programme_publish(programme=programme, user=editor)
        programme.delete()
        assert suggestion_for(client, "Weltrumhafen") is None

    def test_renamed_words_leave_the_vocabulary(self, client):
        programme = ProgrammeFactory(title="Weltraumhafen für alle")
        programme.title = "Hafenfest für alle"
        programme.save()
        assert suggestion_for(client, "Weltrumhafen") is None
        assert suggestion_for(client, "Hafenfezt") == "hafenfest"

    def test_removed_keywords_leave_the_vocabulary(self, client):
        programme = ProgrammeFactory()
        programme.keywords.add("Mondlandung")
        assert suggestion_for(client, "Mondlndung") == "mondlandung"
        programme.keywords.clear()
        assert suggestion_for(client, "Mondlndung") is None


def titles(client, text):
    return [p.title for p in client.get(LIST_URL, {"q": text}).context["object_list"]]


class TestProfilesAreIndexedOnceRecognised:
    def test_text_of_an_unrecognised_profile_is_not_found(self, client, editor):
        profile = BestPracticeFactory(is_recognised=False, approach="Mit Zauberlehrlingen.")
        assert titles(client, "Zauberlehrlinge") == []
        assert (
            "Zauberlehrlinge"
            not in client.get(reverse("programmes:data-csv"), {"q": "Zauberlehrlinge"})
            .getvalue()
            .decode()
        )
        profile.is_recognised = True
        profile.save()
        assert titles(client, "Zauberlehrlinge") == [profile.programme.title]

    def test_text_of_a_profile_no_longer_recognised_is_no_longer_found(self, client):
        profile = BestPracticeFactory(approach="Mit Zauberlehrlingen.")
        assert titles(client, "Zauberlehrlinge") == [profile.programme.title]
        profile.is_recognised = False
        profile.save()
        assert titles(client, "Zauberlehrlinge") == []


def test_highlights_typed_into_a_text_stay_text(client):
    ProgrammeFactory(
        title="Sprachcafé",
        summary="Deutsch üben <mark><script>x</script></mark> im Sprachcafé.",
        description="<mark>Eingeschleust</mark> und Sprachcafé.",
    )
    response = client.get(LIST_URL, {"q": "Sprachcafé"})
    html = response.content.decode()
    snippet = str(response.context["object_list"][0].snippet)
    assert snippet.count("<mark>") == snippet.count("</mark>")
    assert "<mark>Eingeschleust</mark>" not in html
    assert "<script>" not in snippet and "<mark><script>" not in html
    assert "<mark>Sprachcafé</mark>" in snippet
    assert "&lt;mark&gt;Eingeschleust&lt;/mark&gt;" in snippet


class TestPdfUploads:
    def test_a_real_pdf_passes(self):
        validate_pdf(SimpleUploadedFile("a.pdf", pdf_bytes()))

    def test_the_signature_must_stand_at_the_very_start(self):
        disguised = b"<html><script>alert(1)</script>" + pdf_bytes()
        with pytest.raises(ValidationError) as error:
            validate_pdf(SimpleUploadedFile("a.pdf", disguised))
        assert error.value.code == "invalid_pdf"

    def test_a_signature_alone_is_no_pdf(self):
        with pytest.raises(ValidationError) as error:
            validate_pdf(SimpleUploadedFile("a.pdf", b"%PDF-1.7\n<html>not really</html>"))
        assert error.value.code == "broken_pdf"

    def test_a_fake_pdf_is_not_stored_through_the_admin(self, client, staff_a, county_a):
        from programmes.models import Attachment
        from tests.forms import programme_form

        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        client.force_login(staff_a)
        data = programme_form(
            county_a,
            slug="p",
            **{
                "attachments-TOTAL_FORMS": "1",
                "attachments-0-title": "Flyer",
                "attachments-0-file": SimpleUploadedFile(
                    "flyer.pdf", b"junk %PDF-1.4 more junk", content_type="application/pdf"
                ),
            },
        )
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Das ist keine PDF-Datei" in response.content.decode()
        assert not Attachment.objects.exists()


def test_each_keyword_is_neutralised_in_the_open_data_csv(client):
    import csv as csv_module

    programme = ProgrammeFactory(title="Sprachcafé")
    programme.keywords.add("0abc", "=1+2", "-minus", "@at", "Patenschaft")
    text = client.get(reverse("programmes:data-csv")).getvalue().decode("utf-8-sig")
    row = next(csv_module.DictReader(text.splitlines()))
    keywords = row["keywords"].split(";")
    assert sorted(keywords) == sorted(["'-minus", "'=1+2", "'@at", "0abc", "Patenschaft"])
    assert '"Sprachcafé"' in text  # every cell quoted: ";" inside a cell cannot split it


def test_open_data_page_title_is_only_its_title(client):
    html = client.get(reverse("programmes:open-data")).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Offene Daten" in title


def test_text_of_a_deleted_profile_is_no_longer_found(client):
    profile = BestPracticeFactory(approach="Mit Zauberlehrlingen.")
    assert titles(client, "Zauberlehrlinge") == [profile.programme.title]
    profile.delete()
    assert titles(client, "Zauberlehrlinge") == []


def test_deleting_a_programme_with_a_profile_leaves_no_words_behind():
    BestPracticeFactory(programme__title="Weltraumhafen").programme.delete()
    assert not SearchTerm.objects.exists()
