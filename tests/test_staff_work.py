"""County staff and editors at work: safe scoping, workflow and its e-mails, history,
spreadsheets, keeping content current, accounts and uploads."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from programmes import services
from programmes.enums import PublicationState as State
from programmes.history import restore
from programmes.models import Attachment, BestPracticeProfile, Programme
from programmes.reminders import send_confirmation_reminders
from tests.factories import BestPracticeFactory, ProgrammeFactory
from tests.forms import county_profile_form, field_ids, programme_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:programmes_programme_add")


class TestScoping:
    def test_forged_county_in_the_form_is_refused(self, client, staff_a, county_b):
        client.force_login(staff_a)
        response = client.post(ADD_URL, programme_form(county_b))
        assert response.status_code == 200
        assert not Programme.objects.exists()

    def test_staff_cannot_move_a_programme_to_another_county(
        self, client, staff_a, county_a, county_b
    ):
        programme = ProgrammeFactory(county=county_a, slug="p")
        client.force_login(staff_a)
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        response = client.post(url, programme_form(county_b, slug="p", title="Geändert"))
        programme.refresh_from_db()
        assert response.status_code == 302
        assert (programme.county, programme.title) == (county_a, "Geändert")

    def test_county_autocomplete_offers_only_own_counties(
        self, client, staff_a, editor, county_a, county_b
    ):
        url = reverse("admin:autocomplete")
        params = {
            "app_label": "programmes",
            "model_name": "programme",
            "field_name": "county",
            "term": "Landkreis",
        }
        client.force_login(staff_a)
        names = {r["text"] for r in client.get(url, params).json()["results"]}
        assert names == {"Landkreis Ahorn"}
        client.force_login(editor)
        names = {r["text"] for r in client.get(url, params).json()["results"]}
        assert names == {"Landkreis Ahorn", "Landkreis Birke"}

    def test_staff_cannot_feature_or_recognise(self, client, staff_a, county_a):
        programme = ProgrammeFactory(county=county_a, slug="p")
        client.force_login(staff_a)
        data = programme_form(
            county_a,
            slug="p",
            **{
                "best_practice-TOTAL_FORMS": "1",
                "best_practice-0-starting_situation": "A",
                "best_practice-0-approach": "B",
                "best_practice-0-results": "C",
                "best_practice-0-success_factors": "D",
                "best_practice-0-obstacles": "E",
                "best_practice-0-transfer_staff": "F",
                "best_practice-0-transfer_money": "G",
                "best_practice-0-transfer_partners": "H",
                "best_practice-0-transfer_time": "I",
                "best_practice-0-is_featured": "on",
                "best_practice-0-is_recognised": "on",
                "best_practice-0-featured_rank": "1",
            },
        )
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        assert client.post(url, data).status_code == 302
        profile = BestPracticeProfile.objects.get(programme=programme)
        assert (profile.is_featured, profile.is_recognised, profile.featured_rank) == (
            False,
            False,
            100,
        )

    def test_export_contains_only_own_programmes(self, client, staff_a, county_a, county_b):
        ProgrammeFactory(county=county_a, title="Eigenes Programm")
        ProgrammeFactory(county=county_b, title="Fremdes Programm")
        client.force_login(staff_a)
        url = reverse("admin:programmes_programme_export")
        form = client.get(url).context["form"]
        every_column = {name: "on" for name in form.fields if name.startswith("programmeresource_")}
        response = client.post(url, {"format": "0", "resource": "0", **every_column})
        text = response.content.decode("utf-8-sig")
        assert "Eigenes Programm" in text
        assert "Fremdes Programm" not in text
        assert "Kreisschlüssel (AGS)" in text


class TestWorkflow:
    def test_submit_publish_and_their_mails(
        self, staff_a, editor, county_a, django_capture_on_commit_callbacks
    ):
        programme = ProgrammeFactory(county=county_a, draft=True)

        with django_capture_on_commit_callbacks(execute=True):
            services.programme_submit(programme=programme, user=staff_a)
        assert programme.publication_state == State.SUBMITTED
        assert [m.to for m in mail.outbox] == [[editor.email]]

        with django_capture_on_commit_callbacks(execute=True):
            services.programme_publish(programme=programme, user=editor)
        assert programme.publication_state == State.PUBLISHED
        assert programme.published_at is not None
        assert mail.outbox[-1].to == [staff_a.email]
        assert "veröffentlicht" in mail.outbox[-1].subject

    def test_request_changes_sends_the_comment_and_allows_resubmission(
        self, staff_a, editor, county_a, django_capture_on_commit_callbacks
    ):
        programme = ProgrammeFactory(county=county_a, publication_state=State.SUBMITTED)
        with django_capture_on_commit_callbacks(execute=True):
            services.programme_request_changes(
                programme=programme, user=editor, comment="Bitte Zahlen ergänzen."
            )
        assert programme.publication_state == State.CHANGES_REQUESTED
        assert "Bitte Zahlen ergänzen." in mail.outbox[-1].body
        services.programme_submit(programme=programme, user=staff_a)
        assert programme.publication_state == State.SUBMITTED

    def test_impossible_steps_are_refused(self, staff_a, editor, county_a):
        programme = ProgrammeFactory(county=county_a)  # published
        with pytest.raises(services.WorkflowError):
            services.programme_submit(programme=programme, user=staff_a)
        with pytest.raises(services.WorkflowError):
            services.programme_request_changes(programme=programme, user=editor, comment="x")

    def test_staff_edits_of_published_programmes_go_live_and_are_listed(
        self, client, staff_a, editor, county_a
    ):
        programme = ProgrammeFactory(county=county_a, slug="p", title="Alt")
        client.force_login(staff_a)
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        client.post(url, programme_form(county_a, slug="p", title="Neu"))
        programme.refresh_from_db()
        assert (programme.title, programme.publication_state) == ("Neu", State.PUBLISHED)

        client.force_login(editor)
        page = client.get(reverse("admin:index")).content.decode()
        assert "Neu" in page
        assert "Titel" in page  # what changed

    def test_archived_programme_leaves_lists_but_keeps_its_address(self, client, editor, county_a):
        programme = ProgrammeFactory(county=county_a, title="Altes Programm")
        services.programme_archive(programme=programme, user=editor)
        assert "Altes Programm" not in client.get("/programme/").content.decode()
        page = client.get(programme.get_absolute_url())
        assert page.status_code == 200
        assert "archiviert" in page.content.decode()

    def test_editor_start_page_shows_the_review_queue(self, client, editor, county_a):
        ProgrammeFactory(
            county=county_a, title="Wartet auf Prüfung", publication_state=State.SUBMITTED
        )
        client.force_login(editor)
        page = client.get(reverse("admin:index")).content.decode()
        assert "Wartet auf Prüfung" in page


class TestHistory:
    def test_admin_save_records_fields_keywords_and_who(self, client, staff_a, county_a):
        client.force_login(staff_a)
        client.post(ADD_URL, programme_form(county_a))
        programme = Programme.objects.get()
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        client.post(
            url, programme_form(county_a, fields_of_action=field_ids(3), keywords="Jobcoaching")
        )

        assert programme.history.count() == 2  # one record per save
        page = client.get(
            reverse("admin:programmes_programme_history", args=[programme.pk])
        ).content.decode()
        assert "Jobcoaching" in page
        assert "Arbeit und Ausbildung" in page
        assert "alice" in page

    def test_restore_brings_back_content_keywords_and_fields_and_is_recorded(
        self, client, staff_a, county_a
    ):
        client.force_login(staff_a)
        client.post(ADD_URL, programme_form(county_a))
        programme = Programme.objects.get()
        first = programme.history.earliest()
        url = reverse("admin:programmes_programme_change", args=[programme.pk])
        client.post(
            url,
            programme_form(
                county_a, title="Überschrieben", fields_of_action=field_ids(6), keywords="Sport"
            ),
        )

        restore(record=first, user=staff_a)

        programme.refresh_from_db()
        assert programme.title == "Neues Programm"
        assert sorted(programme.keywords.names()) == ["Patenschaft", "Wohnraum"]
        assert sorted(f.slug for f in programme.fields_of_action.all()) == ["housing", "language"]
        latest = programme.history.latest()
        assert latest.history_user == staff_a
        assert "Wiederhergestellt" in latest.history_change_reason

    def test_deleted_published_programme_can_be_recovered(self, client, editor, county_a):
        programme = ProgrammeFactory(county=county_a, title="Gelöscht", fields=["work"])
        programme.keywords.add("Jobcoaching")
        BestPracticeFactory(programme=programme, is_featured=True, featured_rank=3)
        created = Programme.objects.get(pk=programme.pk).created_at
        client.force_login(editor)
        client.post(
            reverse("admin:programmes_programme_delete", args=[programme.pk]), {"post": "yes"}
        )
        assert not Programme.objects.exists()
        record = Programme.history.filter(history_type="-").get()

        client.post(reverse("admin:programmes_programme_undelete", args=[record.history_id]))

        recovered = Programme.objects.get(pk=programme.pk)
        assert recovered.title == "Gelöscht"
        assert recovered.is_published
        assert [f.slug for f in recovered.fields_of_action.all()] == ["work"]
        assert recovered.keywords.names()[0] == "Jobcoaching"
        assert recovered.created_at == created
        profile = BestPracticeProfile.objects.get(programme=recovered)
        assert (profile.is_featured, profile.featured_rank) == (True, 3)

    def test_county_profile_history_and_restore(self, client, staff_a, county_a):
        client.force_login(staff_a)
        url = reverse("admin:counties_county_change", args=[county_a.pk])
        client.post(url, county_profile_form(profile_text="Erste Fassung."))
        client.post(url, county_profile_form(profile_text="Zweite Fassung."))
        first = county_a.history.filter(profile_text="Erste Fassung.").get()

        client.post(reverse("admin:counties_county_restore", args=[county_a.pk, first.history_id]))

        county_a.refresh_from_db()
        assert county_a.profile_text == "Erste Fassung."


def _rows(county_ags, count=8, bad_row=None):
    header = [
        "Adresskürzel",
        "Kreisschlüssel (AGS)",
        "Titel",
        "Kurzbeschreibung",
        "Beschreibung",
        "Handlungsfelder",
        "Zielgruppen",
        "Status",
        "Beginn",
        "Schlagwörter",
    ]
    rows = []
    for number in range(1, count + 1):
        status = "vielleicht" if number == bad_row else "laufend"
        rows.append(
            [
                "",
                county_ags,
                f"Importiertes Programm {number}",
                "Kurz.",
                "Lang.",
                "Wohnen; Sprache",
                "Familien",
                status,
                "01.02.2024",
                "Import, Test",
            ]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


class TestImport:
    def _upload(self, client, content):
        upload = SimpleUploadedFile("programme.csv", content, content_type="text/csv")
        return client.post(
            reverse("admin:programmes_programme_import"),
            {"import_file": upload, "format": "0", "resource": "0"},
        )

    def test_valid_file_shows_a_preview_and_writes_after_confirmation(
        self, client, staff_a, county_a
    ):
        client.force_login(staff_a)
        response = self._upload(client, _rows(county_a.ags))
        assert response.status_code == 200
        assert not Programme.objects.exists()  # only a preview so far
        confirm = response.context["confirm_form"]
        response = client.post(
            reverse("admin:programmes_programme_process_import"), confirm.initial
        )
        assert Programme.objects.count() == 8
        programme = Programme.objects.get(title="Importiertes Programm 3")
        assert programme.publication_state == State.DRAFT
        assert sorted(programme.keywords.names()) == ["Import", "Test"]
        assert programme.fields_of_action.count() == 2

    def test_an_error_in_row_7_writes_nothing_and_names_row_and_column(
        self, client, staff_a, county_a
    ):
        client.force_login(staff_a)
        response = self._upload(client, _rows(county_a.ags, bad_row=7))
        page = response.content.decode()
        assert "confirm_form" not in response.context or response.context["confirm_form"] is None
        assert "vielleicht" in page
        assert "Status" in page
        assert not Programme.objects.exists()

    def test_staff_cannot_import_into_another_county(self, client, staff_a, county_b):
        client.force_login(staff_a)
        response = self._upload(client, _rows(county_b.ags, count=2))
        assert "nur Programme des eigenen Kreises" in response.content.decode()
        assert not Programme.objects.exists()

    def test_template_has_the_german_columns(self, client, staff_a):
        client.force_login(staff_a)
        response = client.get(reverse("admin:programmes_programme_import_template", args=["csv"]))
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert "Kreisschlüssel (AGS)" in header
        assert "Handlungsfelder" in header


class TestKeepingCurrent:
    def test_reminder_after_twelve_months_once(self, staff_a, county_a):
        old = timezone.now() - timedelta(days=400)
        ProgrammeFactory(
            county=county_a, title="Lange nicht bestätigt", published_at=old, last_confirmed_at=old
        )
        ProgrammeFactory(county=county_a, title="Frisch")

        assert send_confirmation_reminders() == 1
        assert mail.outbox[0].to == [staff_a.email]
        assert "Lange nicht bestätigt" in mail.outbox[0].body
        assert "Frisch" not in mail.outbox[0].body
        assert send_confirmation_reminders() == 0

    def test_public_page_warns_after_fifteen_months_and_confirming_clears_it(
        self, client, staff_a, county_a
    ):
        old = timezone.now() - timedelta(days=500)
        programme = ProgrammeFactory(county=county_a, published_at=old, last_confirmed_at=old)
        assert (
            "möglicherweise nicht mehr aktuell"
            in client.get(programme.get_absolute_url()).content.decode().lower()
        )

        services.programme_confirm(programme=programme, user=staff_a)

        page = client.get(programme.get_absolute_url()).content.decode()
        assert "möglicherweise nicht mehr aktuell" not in page.lower()
        assert "Zuletzt bestätigt am" in page


class TestAccounts:
    def test_login_page_is_german_and_logs_in(self, client, staff_a):
        page = client.get("/anmelden/").content.decode()
        assert "Anmelden" in page
        response = client.post("/anmelden/", {"username": "alice", "password": "pw"})
        assert response.status_code == 302

    def test_admin_login_redirects_to_the_portal_login(self, client):
        response = client.get("/admin/")
        assert response.status_code == 302
        follow = client.get(response.url)
        assert follow.url.startswith("/anmelden/")

    def test_lock_out_after_repeated_failures(self, client, staff_a):
        for _ in range(5):
            client.post("/anmelden/", {"username": "alice", "password": "falsch"})
        response = client.post("/anmelden/", {"username": "alice", "password": "pw"})
        assert response.status_code == 429
        assert "gesperrt" in response.content.decode()

    def test_password_reset_sends_a_german_mail(self, client, staff_a):
        client.post("/passwort/vergessen/", {"email": staff_a.email})
        assert len(mail.outbox) == 1
        assert "Passwort" in mail.outbox[0].subject
        assert "/passwort/neu/" in mail.outbox[0].body

    def test_sessions_expire(self, settings):
        assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def _png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(
        "../../etc/evil name.jpg", buffer.getvalue(), content_type="image/jpeg"
    )


class TestUploads:
    def test_image_is_renamed_by_its_real_type_and_served_safely(self, client, staff_a, county_a):
        client.force_login(staff_a)
        client.post(ADD_URL, programme_form(county_a, image=_png_upload(), image_alt="Rot"))
        programme = Programme.objects.get()
        assert programme.image.name.startswith("programmes/")
        assert programme.image.name.endswith(".png")
        services.programme_publish(programme=programme, user=_editor_for_publish())
        response = client.get(reverse("programmes:image", args=[programme.slug]))
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_pdf_attachment_is_checked_by_content(self, county_a):
        programme = ProgrammeFactory(county=county_a)
        fake = Attachment(
            programme=programme,
            title="Flyer",
            file=SimpleUploadedFile("flyer.pdf", b"<html>not a pdf</html>"),
        )
        with pytest.raises(Exception, match="keine PDF-Datei"):
            fake.full_clean()

    def test_pdf_is_served_as_pdf_with_a_safe_name_and_not_for_drafts(self, client, county_a):
        programme = ProgrammeFactory(county=county_a, slug="p")
        attachment = Attachment(programme=programme, title="Flyer: Ärger & mehr")
        attachment.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF"))
        response = client.get(attachment.get_absolute_url())
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="flyer-aerger-mehr.pdf"' in response["Content-Disposition"]
        programme.publication_state = State.DRAFT
        programme.save()
        assert client.get(attachment.get_absolute_url()).status_code == 404


def _editor_for_publish():
    from tests.conftest import make_user

    return make_user("editor2", "Redaktion")


def test_staff_restoring_a_profile_cannot_change_what_editors_decided(staff_a, editor, county_a):
    profile = BestPracticeFactory(programme__county=county_a, is_featured=False)
    first = profile.history.earliest()
    profile.is_featured = True
    profile.featured_rank = 2
    profile.approach = "Neu beschrieben."
    profile.save()

    restore(record=first, user=staff_a)

    profile.refresh_from_db()
    assert profile.approach == "Vorgehen."
    assert (profile.is_featured, profile.featured_rank) == (True, 2)


def test_user_administrators_cannot_hand_out_superuser(client, administrator, staff_a):
    client.force_login(administrator)
    url = reverse("admin:auth_user_change", args=[administrator.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_view_on_site_shortcut_works_for_published_programmes(client, staff_b, county_a):
    from django.contrib.contenttypes.models import ContentType

    published = ProgrammeFactory(county=county_a, slug="oeffentlich")
    client.force_login(staff_b)
    ct = ContentType.objects.get_for_model(Programme).pk
    response = client.get(f"/admin/r/{ct}/{published.pk}/")
    assert response.status_code == 302
    assert response.url == "/programme/oeffentlich/"


def _xlsx(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, content, name, fmt):
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("admin:programmes_programme_import"),
        {"import_file": upload, "format": fmt, "resource": "0"},
    )
    confirm = response.context.get("confirm_form") if response.context else None
    if confirm is not None:
        client.post(reverse("admin:programmes_programme_process_import"), confirm.initial)
    return response


def test_xlsx_with_empty_optional_cells_imports(client, staff_a, county_a):
    client.force_login(staff_a)
    header = [
        "Adresskürzel",
        "Kreisschlüssel (AGS)",
        "Titel",
        "Kurzbeschreibung",
        "Beschreibung",
        "Ziele",
        "Handlungsfelder",
        "Status",
    ]
    content = _xlsx(
        [header, [None, county_a.ags, "Aus Excel", "Kurz.", "Lang.", None, "Wohnen", "laufend"]]
    )
    _import(client, content, "programme.xlsx", "1")
    programme = Programme.objects.get(title="Aus Excel")
    assert programme.goals == ""
    assert programme.history.count() == 1  # one record for the whole row


def test_an_import_writes_its_history_whatever_ids_the_profiles_have(client, staff_a, county_a):
    from programmes.models import StaffRole

    programme = ProgrammeFactory(county=county_a, slug="mit-karte", title="Mit Karte")
    # A profile whose id is the programme's, with staff roles: their history rows were once
    # written as the programme's.
    profile = BestPracticeFactory(programme=programme, pk=programme.pk)
    profile.staff_roles.set(StaffRole.objects.all()[:2])
    client.force_login(staff_a)
    header = ["Adresskürzel", "Kreisschlüssel (AGS)", "Titel", "Kurzbeschreibung",
              "Beschreibung", "Ziele", "Handlungsfelder", "Status"]  # fmt: skip
    row = ["mit-karte", county_a.ags, "Mit Karte, neu", "Kurz.", "Lang.", None, "Wohnen", "laufend"]
    _import(client, _xlsx([header, row]), "programme.xlsx", "1")
    programme.refresh_from_db()
    assert programme.title == "Mit Karte, neu"
    assert programme.history.latest().title == "Mit Karte, neu"
    assert profile.history.latest().staff_roles.count() == 2


def test_a_new_row_never_overwrites_a_programme_with_the_same_title(client, staff_a, county_a):
    existing = ProgrammeFactory(
        county=county_a,
        title="Importiertes Programm 1",
        slug="importiertes-programm-1",
        summary="Bleibt so.",
    )
    client.force_login(staff_a)
    _import(client, _rows(county_a.ags, count=1), "programme.csv", "0")
    existing.refresh_from_db()
    assert existing.summary == "Bleibt so."
    assert Programme.objects.filter(title="Importiertes Programm 1").count() == 2


def test_template_has_an_example_row_and_a_byte_order_mark(client, staff_a, county_a):
    client.force_login(staff_a)
    response = client.get(reverse("admin:programmes_programme_import_template", args=["csv"]))
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert county_a.ags in lines[1]
    assert "Sprachcafé" in lines[1]


def test_fundings_edited_with_the_programme_appear_in_its_history(client, staff_a, county_a):
    client.force_login(staff_a)
    client.post(ADD_URL, programme_form(county_a))
    programme = Programme.objects.get()
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    client.post(
        url,
        programme_form(
            county_a,
            **{
                "fundings-TOTAL_FORMS": "1",
                "fundings-0-level": "eu",
                "fundings-0-programme_name": "AMIF",
                "fundings-0-start_year": "2024",
            },
        ),
    )
    page = client.get(
        reverse("admin:programmes_programme_history", args=[programme.pk])
    ).content.decode()
    assert "Förderungen" in page
    assert "EU: AMIF 2024" in page


def test_history_page_and_start_page_queries_do_not_grow_with_records(
    client, staff_a, editor, county_a, django_assert_max_num_queries
):
    client.force_login(staff_a)
    client.post(ADD_URL, programme_form(county_a))
    programme = Programme.objects.get()
    services.programme_publish(programme=programme, user=editor)
    url = reverse("admin:programmes_programme_change", args=[programme.pk])
    for number in range(12):
        client.post(
            url,
            programme_form(
                county_a, title=f"Fassung {number}", fields_of_action=field_ids(number % 6 + 1)
            ),
        )
    with django_assert_max_num_queries(25):
        page = client.get(reverse("admin:programmes_programme_history", args=[programme.pk]))
    assert "Fassung 11" in page.content.decode()
    client.force_login(editor)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("admin:index"))
    assert "Fassung 11" in page.content.decode()
