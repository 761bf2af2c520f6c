"""Nothing is lost: restores bring back fundings, documents and indicators; concurrent
edits are caught; curated profiles stay; workflow steps survive a dead mail server;
odd input gets a German answer instead of a 500; staff see their drafts' files."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from programmes import services
from programmes.enums import PublicationState as State
from programmes.history import RECORDS, restore
from programmes.models import Attachment, BestPracticeProfile, Funding, Indicator, Programme
from tests.factories import BestPracticeFactory, FundingFactory, ProgrammeFactory, pdf_bytes
from tests.forms import programme_form

pytestmark = pytest.mark.django_db


def change_url(programme):
    return reverse("admin:programmes_programme_change", args=[programme.pk])


def with_attachment(programme, title="Flyer"):
    item = Attachment(programme=programme, title=title)
    item.file.save("x.pdf", SimpleUploadedFile("x.pdf", pdf_bytes()))
    return item


def record_version(instance, user=None):
    """What one admin save does: one history record with everything around it."""
    instance._history_user = user
    RECORDS[type(instance)].create_historical_record(instance, "~")


class TestRestoreKeepsRows:
    def test_recovering_a_deleted_programme_brings_back_fundings_documents_indicators(
        self, client, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", title="Mit allem")
        FundingFactory(programme=programme, programme_name="AMIF", amount=Decimal("18000.50"))
        attachment = with_attachment(programme)
        profile = BestPracticeFactory(programme=programme)
        Indicator.objects.create(profile=profile, name="Teilnehmende", value=120, year=2024)
        record_version(programme, editor)
        record_version(profile, editor)
        file_name = attachment.file.name

        programme.delete()
        assert not Funding.objects.exists() and not Attachment.objects.exists()

        client.force_login(editor)
        record = Programme.history.filter(history_type="-").get()
        client.post(reverse("admin:programmes_programme_undelete", args=[record.history_id]))

        programme = Programme.objects.get(slug="p")
        funding = programme.fundings.get()
        assert (funding.programme_name, funding.amount) == ("AMIF", Decimal("18000.50"))
        document = programme.attachments.get()
        assert (document.pk, document.title, document.file.name) == (
            attachment.pk,
            "Flyer",
            file_name,
        )
        assert document.file.open("rb").read(5) == b"%PDF-"  # the file stayed
        indicator = programme.best_practice.indicators.get()
        assert (indicator.name, indicator.value, indicator.year) == ("Teilnehmende", 120, 2024)

    def test_a_profile_the_editors_deleted_on_its_own_stays_deleted(
        self, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, draft=True)
        profile = BestPracticeFactory(
            programme=programme, is_featured=True, featured_rank=1, editors_statement="Vorbild."
        )
        profile._history_user = editor
        profile.delete()
        programme._history_user = staff_a
        pk = programme.pk
        programme.delete()

        record = Programme.history.filter(history_type="-").get()
        restore(record=record, user=staff_a)

        assert Programme.objects.filter(pk=pk).exists()
        assert not BestPracticeProfile.objects.exists()

    def test_a_version_that_names_a_deleted_source_comes_back_without_the_link(
        self, client, staff_b, county_a, county_b
    ):
        source = ProgrammeFactory(county=county_a, title="Quelle")
        adopted = ProgrammeFactory(
            county=county_b, adapted_from=source, adapted_from_title="Quelle", draft=True
        )
        record_version(adopted, staff_b)
        version = adopted.history.earliest()
        adopted.title = "Geändert"
        adopted.save()
        source.delete()

        restore(record=version, user=staff_b)
        adopted.refresh_from_db()
        assert (adopted.adapted_from_id, adopted.adapted_from_title) == (None, "Quelle")

        adopted._history_user = staff_b
        pk = adopted.pk
        adopted.delete()
        client.force_login(staff_b)
        deletion = Programme.history.filter(id=pk, history_type="-").get()
        response = client.post(
            reverse("admin:programmes_programme_undelete", args=[deletion.history_id])
        )
        assert response.status_code == 302
        recovered = Programme.objects.get(pk=pk)
        assert (recovered.adapted_from_id, recovered.adapted_from_title) == (None, "Quelle")

    def test_restoring_an_older_version_brings_back_deleted_fundings_and_documents(
        self, client, staff_a, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        FundingFactory(programme=programme, programme_name="ESF Plus")
        with_attachment(programme, "Bericht")
        record_version(programme, staff_a)
        older = programme.history.latest()

        programme.fundings.all().delete()
        programme.attachments.all().delete()
        FundingFactory(programme=programme, programme_name="Später dazu")
        record_version(programme, staff_a)

        client.force_login(staff_a)
        client.post(
            reverse("admin:programmes_programme_restore", args=[programme.pk, older.history_id])
        )
        assert list(programme.fundings.values_list("programme_name", flat=True)) == ["ESF Plus"]
        assert list(programme.attachments.values_list("title", flat=True)) == ["Bericht"]
        newest = programme.history.latest()
        assert "ESF Plus" in newest.fundings_snapshot
        assert [row["programme_name"] for row in newest.fundings_data] == ["ESF Plus"]

    def test_restoring_a_profile_version_brings_back_its_indicators(self, staff_a, county_a):
        profile = BestPracticeFactory(programme__county=county_a)
        Indicator.objects.create(profile=profile, name="Kurse", value=12)
        record_version(profile)
        older = profile.history.latest()
        profile.indicators.all().delete()
        record_version(profile)

        restore(record=older, user=staff_a)
        assert list(profile.indicators.values_list("name", flat=True)) == ["Kurse"]

    def test_old_versions_without_rows_leave_the_rows_alone(self, staff_a, county_a):
        programme = ProgrammeFactory(county=county_a, draft=True)
        record = programme.history.earliest()
        record.fundings_data = None
        record.save()
        FundingFactory(programme=programme, programme_name="Bleibt")
        restore(record=record, user=staff_a)
        assert list(programme.fundings.values_list("programme_name", flat=True)) == ["Bleibt"]


def loaded_form(client, programme):
    form = client.get(change_url(programme)).context["adminform"].form
    assert form["loaded_version"].value()
    return form["loaded_version"].value()


class TestConcurrentEdits:
    def test_the_second_save_is_stopped_and_shows_what_changed(
        self, client, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", title="Anfang", draft=True)
        client.force_login(staff_a)
        alice_version = loaded_form(client, programme)
        client.force_login(editor)
        erika_version = loaded_form(client, programme)
        client.post(
            change_url(programme),
            programme_form(county_a, slug="p", title="Von Erika", loaded_version=erika_version),
        )

        client.force_login(staff_a)
        response = client.post(
            change_url(programme),
            programme_form(county_a, slug="p", title="Von Alice", loaded_version=alice_version),
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "erika" in html and "Von Erika" in html and "Anfang" in html
        assert 'value="Von Alice"' in html  # what she typed is still there
        programme.refresh_from_db()
        assert programme.title == "Von Erika"

        # Saving again, having seen the changes, keeps her version.
        newer = response.context["adminform"].form["loaded_version"].value()
        assert newer != alice_version
        client.post(
            change_url(programme),
            programme_form(county_a, slug="p", title="Von Alice", loaded_version=newer),
        )
        programme.refresh_from_db()
        assert programme.title == "Von Alice"

    def test_a_workflow_step_meanwhile_is_no_conflict(self, client, staff_a, editor, county_a):
        programme = ProgrammeFactory(
            county=county_a, slug="p", title="Anfang", publication_state=State.SUBMITTED
        )
        client.force_login(staff_a)
        version = loaded_form(client, programme)
        services.programme_request_changes(programme=programme, user=editor, comment="Bitte.")
        client.post(
            change_url(programme),
            programme_form(county_a, slug="p", title="Überarbeitet", loaded_version=version),
        )
        programme.refresh_from_db()
        assert programme.title == "Überarbeitet"


class TestCuratedProfiles:
    @pytest.mark.parametrize("curation", [{"is_recognised": True}, {"is_featured": True}])
    def test_staff_cannot_delete_a_curated_profile(self, client, staff_a, county_a, curation):
        profile = BestPracticeFactory(
            programme__county=county_a, **{"is_recognised": False, **curation}
        )
        client.force_login(staff_a)
        url = reverse("admin:programmes_bestpracticeprofile_delete", args=[profile.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert BestPracticeProfile.objects.filter(pk=profile.pk).exists()

    def test_staff_cannot_delete_a_curated_profile_through_the_programme_form(
        self, client, staff_a, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p")
        profile = BestPracticeFactory(programme=programme, is_featured=True)
        client.force_login(staff_a)
        fields = {
            name: getattr(profile, name)
            for name in [
                "starting_situation", "approach", "results", "success_factors", "obstacles",
                "transfer_staff", "transfer_money", "transfer_partners", "transfer_time",
            ]
        }  # fmt: skip
        data = programme_form(
            county_a,
            slug="p",
            **{
                "best_practice-TOTAL_FORMS": "1",
                "best_practice-INITIAL_FORMS": "1",
                "best_practice-0-id": str(profile.pk),
                "best_practice-0-programme": str(programme.pk),
                "best_practice-0-DELETE": "on",
                **{f"best_practice-0-{name}": value for name, value in fields.items()},
            },
        )
        client.post(change_url(programme), data)
        assert BestPracticeProfile.objects.filter(pk=profile.pk, is_featured=True).exists()

    def test_staff_cannot_delete_a_draft_programme_with_a_recognised_profile(
        self, client, staff_a, county_a
    ):
        programme = ProgrammeFactory(county=county_a, draft=True)
        BestPracticeFactory(programme=programme, is_recognised=True)
        client.force_login(staff_a)
        url = reverse("admin:programmes_programme_delete", args=[programme.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Programme.objects.filter(pk=programme.pk).exists()

    def test_staff_may_delete_an_unrecognised_profile_and_editors_any(
        self, client, staff_a, editor, county_a
    ):
        draft_profile = BestPracticeFactory(programme__county=county_a, is_recognised=False)
        curated = BestPracticeFactory(programme__county=county_a, is_featured=True)
        client.force_login(staff_a)
        for profile, user in [(draft_profile, staff_a), (curated, editor)]:
            client.force_login(user)
            url = reverse("admin:programmes_bestpracticeprofile_delete", args=[profile.pk])
            client.post(url, {"post": "yes"})
            assert not BestPracticeProfile.objects.filter(pk=profile.pk).exists()


class TestMailAfterCommit:
    def test_mail_goes_out_only_after_commit(self, staff_a, editor, county_a):
        programme = ProgrammeFactory(county=county_a, draft=True)
        services.programme_submit(programme=programme, user=staff_a)
        assert mail.outbox == []  # the test's transaction has not committed

    def test_an_unreachable_mail_server_loses_no_state_change(
        self, settings, staff_a, editor, county_a, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
        programme = ProgrammeFactory(county=county_a, draft=True)
        failures = []
        with django_capture_on_commit_callbacks(execute=True):
            services.programme_submit(
                programme=programme, user=staff_a, on_mail_failure=lambda: failures.append(1)
            )
        programme.refresh_from_db()
        assert programme.publication_state == State.SUBMITTED
        assert failures == [1]

    def test_titles_are_single_lines(self, client, staff_a, county_a):
        client.force_login(staff_a)
        response = client.post(
            reverse("admin:programmes_programme_add"),
            programme_form(county_a, title="Erste Zeile\r\nBcc: alle@example.org"),
        )
        assert response.status_code == 200
        assert "Der Titel muss eine einzige Zeile sein" in response.content.decode()
        assert not Programme.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_staff_see_a_notice_when_the_mail_server_is_down(client, settings):
    from tests.conftest import make_user
    from tests.factories import CountyFactory, recreate_migration_data

    recreate_migration_data()
    county = CountyFactory()
    staff = make_user("alice", "Kreisredaktion", county=county)
    make_user("erika", "Redaktion")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    programme = ProgrammeFactory(county=county, draft=True)
    client.force_login(staff)
    url = reverse("admin:programmes_programme_workflow", args=[programme.pk, "submit"])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "E-Mail dazu konnte nicht versandt werden" in response.content.decode()
    programme.refresh_from_db()
    assert programme.publication_state == State.SUBMITTED


class TestClearAnswers:
    def test_a_keyword_over_100_characters_is_a_form_error(self, client, staff_a, county_a):
        client.force_login(staff_a)
        response = client.post(
            reverse("admin:programmes_programme_add"),
            programme_form(county_a, keywords="Kurz, " + "Lang" * 30),
        )
        assert response.status_code == 200
        assert "höchstens 100 Zeichen" in response.content.decode()
        assert not Programme.objects.exists()

    def test_recovering_a_programme_whose_address_was_taken_gives_it_a_new_one(
        self, client, editor, county_a
    ):
        ProgrammeFactory(county=county_a, slug="sprachcafe", title="Alt").delete()
        ProgrammeFactory(county=county_a, slug="sprachcafe", title="Neu")
        record = Programme.history.filter(history_type="-").get()
        client.force_login(editor)
        response = client.post(
            reverse("admin:programmes_programme_undelete", args=[record.history_id]),
            follow=True,
        )
        assert response.status_code == 200
        assert Programme.objects.get(title="Alt").slug == "sprachcafe-2"
        assert Programme.objects.get(title="Neu").slug == "sprachcafe"
        assert "sprachcafe-2" in response.content.decode()


def png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("bild.png", buffer.getvalue(), content_type="image/png")


class TestStaffFiles:
    def test_staff_open_the_image_and_documents_of_their_drafts_through_the_portal(
        self, client, staff_a, county_a
    ):
        client.force_login(staff_a)
        client.post(
            reverse("admin:programmes_programme_add"),
            programme_form(county_a, image=png_upload(), image_alt="Rot"),
        )
        programme = Programme.objects.get()
        document = with_attachment(programme)
        html = client.get(change_url(programme)).content.decode()
        image_url = reverse("admin:programmes_programme_image_file", args=[programme.pk])
        document_url = reverse(
            "admin:programmes_programme_attachment_file", args=[programme.pk, document.pk]
        )
        assert f'href="{image_url}"' in html and f'href="{document_url}"' in html
        assert "/media/" not in html
        image = client.get(image_url)
        assert (image.status_code, image["Content-Type"]) == (200, "image/png")
        assert image["X-Content-Type-Options"] == "nosniff"
        assert image["Content-Security-Policy"] == "sandbox"
        pdf = client.get(document_url)
        assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")

    def test_other_counties_and_the_public_cannot_open_them(self, client, staff_b, county_a):
        programme = ProgrammeFactory(county=county_a, draft=True)
        document = with_attachment(programme)
        url = reverse(
            "admin:programmes_programme_attachment_file", args=[programme.pk, document.pk]
        )
        assert client.get(url).status_code == 302  # to the login
        client.force_login(staff_b)
        assert client.get(url).status_code == 404
        assert client.get(f"/media/{document.file.name}").status_code == 404

    def test_a_document_of_another_programme_is_not_served_under_this_one(
        self, client, staff_a, county_a
    ):
        own = ProgrammeFactory(county=county_a, draft=True)
        foreign = with_attachment(ProgrammeFactory(draft=True))
        client.force_login(staff_a)
        url = reverse("admin:programmes_programme_attachment_file", args=[own.pk, foreign.pk])
        assert client.get(url).status_code == 404


def test_a_keyword_whose_address_would_be_too_long_is_a_form_error(client, staff_a, county_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:programmes_programme_add"),
        programme_form(county_a, keywords="\ufb03" * 40),
    )
    assert response.status_code == 200
    assert "Schlagwort ist zu lang" in response.content.decode()
    assert not Programme.objects.exists()


PROFILE_TEXTS = [
    "starting_situation", "approach", "results", "success_factors", "obstacles",
    "transfer_staff", "transfer_money", "transfer_partners", "transfer_time",
]  # fmt: skip


def with_profile_inline(profile, **changed):
    values = {name: getattr(profile, name) for name in PROFILE_TEXTS} | changed
    return {
        "best_practice-TOTAL_FORMS": "1",
        "best_practice-INITIAL_FORMS": "1",
        "best_practice-0-id": str(profile.pk),
        "best_practice-0-programme": str(profile.programme_id),
        **{f"best_practice-0-{name}": value for name, value in values.items()},
    }


class TestConcurrentEditsAroundTheProgramme:
    def test_a_profile_edited_meanwhile_is_a_conflict_not_overwritten(
        self, client, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        profile = BestPracticeFactory(programme=programme, is_recognised=False)
        client.force_login(editor)
        erika = loaded_form(client, programme)
        client.force_login(staff_a)
        alice = loaded_form(client, programme)
        client.post(
            change_url(programme),
            programme_form(
                county_a, slug="p", loaded_version=alice,
                **with_profile_inline(profile, approach="Neu von Alice."),
            ),
        )  # fmt: skip
        client.force_login(editor)
        response = client.post(
            change_url(programme),
            programme_form(
                county_a, slug="p", goals="Ziele von Erika", loaded_version=erika,
                **with_profile_inline(profile),
            ),
        )  # fmt: skip
        assert response.status_code == 200
        assert "Neu von Alice." in response.content.decode()
        profile.refresh_from_db()
        assert profile.approach == "Neu von Alice."

    def test_saving_again_after_a_funding_was_deleted_meanwhile_keeps_her_version(
        self, client, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        funding = FundingFactory(programme=programme, programme_name="AMIF")
        record_version(programme, staff_a)
        client.force_login(editor)
        version = loaded_form(client, programme)
        stale_funding = {
            "fundings-TOTAL_FORMS": "1",
            "fundings-INITIAL_FORMS": "1",
            "fundings-0-id": str(funding.pk),
            "fundings-0-programme": str(programme.pk),
            "fundings-0-level": "state",
            "fundings-0-programme_name": "AMIF",
        }
        funding.delete()
        record_version(programme, staff_a)
        form = programme_form(county_a, slug="p", summary="Neu.", **stale_funding)
        first = client.post(change_url(programme), {**form, "loaded_version": version})
        assert first.status_code == 200  # the conflict is shown
        newer = first.context["adminform"].form["loaded_version"].value()
        second = client.post(change_url(programme), {**form, "loaded_version": newer})
        assert second.status_code == 302
        programme.refresh_from_db()
        # Having seen the deletion, Erika keeps her version: the funding is saved anew.
        assert programme.summary == "Neu."
        assert list(programme.fundings.values_list("programme_name", flat=True)) == ["AMIF"]

    def test_a_profile_created_meanwhile_is_edited_not_duplicated(
        self, client, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        client.force_login(editor)
        version = loaded_form(client, programme)
        BestPracticeFactory(programme=programme, is_recognised=False, approach="Von Alice.")
        new_profile = {
            "best_practice-TOTAL_FORMS": "1",
            "best_practice-INITIAL_FORMS": "0",
            **{f"best_practice-0-{name}": "Von Erika." for name in PROFILE_TEXTS},
            "best_practice-0-featured_rank": "100",  # prefilled in the editors' form
        }
        form = programme_form(county_a, slug="p", **new_profile)
        first = client.post(change_url(programme), {**form, "loaded_version": version})
        assert first.status_code == 200 and "Von Alice." in first.content.decode()
        newer = first.context["adminform"].form["loaded_version"].value()
        second = client.post(change_url(programme), {**form, "loaded_version": newer})
        assert second.status_code == 302
        assert BestPracticeProfile.objects.get(programme=programme).approach == "Von Erika."

    def test_a_file_chosen_for_a_document_stays_with_it_when_rows_move(
        self, client, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", draft=True)
        gone, kept = with_attachment(programme, "Alt"), with_attachment(programme, "Flyer")
        rows = {
            "attachments-TOTAL_FORMS": "2",
            "attachments-INITIAL_FORMS": "2",
            "attachments-0-id": str(gone.pk),
            "attachments-0-programme": str(programme.pk),
            "attachments-0-title": "Alt",
            "attachments-0-DELETE": "on",
            "attachments-1-id": str(kept.pk),
            "attachments-1-programme": str(programme.pk),
            "attachments-1-title": "Flyer",
            "attachments-1-file": SimpleUploadedFile("neu.pdf", pdf_bytes(), "application/pdf"),
        }
        gone.delete()  # someone else removed the first document meanwhile
        old_file = kept.file.name
        client.force_login(editor)

        response = client.post(change_url(programme), programme_form(county_a, slug="p", **rows))

        assert response.status_code == 302
        kept.refresh_from_db()
        # The second row became the first; the new file went with it, not to another row.
        assert kept.file.name != old_file
        assert list(programme.attachments.values_list("title", flat=True)) == ["Flyer"]
