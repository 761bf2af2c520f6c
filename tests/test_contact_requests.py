"""Questions and study-visit requests between counties: double opt-in, delivery through the
portal, answers from the staff area, limits, reminders and deletion."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programmes import contact
from programmes.models import ContactReply, ContactRequest, RequestKind, RequestState
from tests.factories import ContactRequestFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

CONTACT = "kim.muster@kreis-ahorn.example"


@pytest.fixture
def programme(county_a):
    return ProgrammeFactory(
        county=county_a, title="Wohnraumlotsen", contact_name="Kim Muster", contact_email=CONTACT
    )


def _question(**changes):
    return {
        "sender_name": "Jana Beispiel",
        "sender_organisation": "Stadt Musterhausen",
        "sender_email": "jana@musterhausen.example",
        "message": "Wie haben Sie die Vermieter gewonnen?",
        "privacy": "on",
        "website": "",
        **changes,
    }


def _ask(client, programme, kind="frage", **changes):
    url = reverse(
        f"programmes:ask-{'question' if kind == 'frage' else 'visit'}", args=[programme.slug]
    )
    return client.post(url, _question(**changes))


def _link(message):
    return re.search(r"https?://\S+/anfragen/bestaetigen/[0-9a-f-]+/", message.body).group(0)


def test_what_a_visitor_types_is_text_in_every_mail_never_markup(
    client, programme, staff_a, mailoutbox, django_capture_on_commit_callbacks
):
    typed = '<script>alert(1)</script> <b>fett</b> "&" https://example.org/?a=1&b=2'
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, programme, kind="hospitation", sender_name="<i>Jana</i>", message=typed,
             proposed_dates="<u>Mai</u>", visitors="2")  # fmt: skip
    path = re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    delivered = [m for m in mailoutbox if CONTACT in m.to]
    assert len(mailoutbox) == 3 and delivered
    for mail in mailoutbox:
        html, kind = mail.alternatives[0]
        assert kind == "text/html"
        for markup in ["<script", "<b>", "<i>", "<u>"]:
            assert markup not in html
        assert "&lt;i&gt;Jana&lt;/i&gt;" in html
    html = delivered[0].alternatives[0][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;" in html
    assert '<a href="https://example.org/?a=1&amp;b=2"' in html
    assert typed in delivered[0].body  # the text part stays as it was typed


def test_a_link_to_a_programme_no_longer_published_names_nothing_of_it(
    client, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, programme)
    path = re.sub(r"^https?://[^/]+", "", _link(mailoutbox[0]))
    programme.publication_state = "submitted"
    programme.title = "Neuer Titel in Prüfung"
    programme.save()
    for response in [client.get(path), client.post(path)]:
        page = response.content.decode()
        assert response.status_code == 400
        assert "keine Anfragen mehr gestellt werden" in page
        assert "Neuer Titel" not in page and "Wohnraumlotsen" not in page


def test_a_visitor_asks_confirms_and_gets_the_answer(
    client, programme, staff_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, programme)
    assert response.status_code == 200
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in response.content.decode()
    item = ContactRequest.objects.get()
    assert item.state == RequestState.UNCONFIRMED
    assert [m.to for m in mailoutbox] == [["jana@musterhausen.example"]]  # nothing delivered
    confirmation = mailoutbox[0]
    assert confirmation.alternatives[0][1] == "text/html"
    link = _link(confirmation)
    path = re.sub(r"^https?://[^/]+", "", link)
    mailoutbox.clear()

    page = client.get(path).content.decode()
    assert "Bestätigen und senden" in page
    assert ContactRequest.objects.get().state == RequestState.UNCONFIRMED  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert "weitergeleitet" in response.content.decode()
    item.refresh_from_db()
    assert item.state == RequestState.OPEN
    delivered = {address for m in mailoutbox for address in m.to}
    assert delivered == {CONTACT, staff_a.email}
    assert "Wie haben Sie die Vermieter gewonnen?" in mailoutbox[0].body
    assert all(m.reply_to == [] for m in mailoutbox)  # answers go through the portal

    # The same link again: a clear message, nothing sent twice.
    mailoutbox.clear()
    response = client.post(path)
    assert response.status_code == 400
    assert "bereits bestätigt" in response.content.decode()
    assert not mailoutbox

    # The county answers from the staff area; the visitor gets the answer, not the address.
    client.force_login(staff_a)
    url = reverse("admin:programmes_contactrequest_change", args=[item.pk])
    page = client.get(url).content.decode()
    assert "Wie haben Sie die Vermieter gewonnen?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"state": "open", "answer": "Über den Haus- und Grundbesitzerverein."})
    item.refresh_from_db()
    assert item.state == RequestState.ANSWERED
    answer = mailoutbox[-1]
    assert answer.to == ["jana@musterhausen.example"]
    assert "Über den Haus- und Grundbesitzerverein." in answer.body
    assert CONTACT not in answer.body and CONTACT not in answer.alternatives[0][0]
    assert staff_a.email not in answer.body and answer.reply_to == []
    assert programme.get_absolute_url() in answer.body

    # The programme page counts the county's answers, as a sign of a living practice.
    client.logout()
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "1 Frage und 0 Hospitationsanfragen beantwortet" in page
    assert CONTACT not in page

    client.force_login(staff_a)
    client.post(url, {"state": "closed", "answer": ""})
    item.refresh_from_db()
    assert item.state == RequestState.CLOSED and item.closed_at is not None


def test_a_study_visit_asks_for_dates_and_visitors(client, programme):
    response = _ask(client, programme, kind="hospitation")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Terminvorschläge" in page and "Anzahl der Besucherinnen und Besucher" in page
    _ask(client, programme, kind="hospitation", proposed_dates="KW 20", visitors="3")
    item = ContactRequest.objects.get()
    assert (item.kind, item.proposed_dates, item.visitors) == (RequestKind.VISIT, "KW 20", 3)


def test_county_staff_send_under_their_county_name_at_once(
    client, programme, staff_b, county_b, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_b)
    page = client.get(reverse("programmes:ask-question", args=[programme.slug])).content
    assert b"Ihr Name" not in page  # no name or address to type: the account gives them
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("programmes:ask-question", args=[programme.slug]),
            {"sender_county": county_b.pk, "message": "Dürfen wir Ihr Konzept nutzen?"},
        )
    item = ContactRequest.objects.get()
    assert item.state == RequestState.OPEN
    assert item.sender_county == county_b and item.sender_email == staff_b.email
    assert CONTACT in {address for m in mailoutbox for address in m.to}
    assert county_b.name in mailoutbox[0].subject


def test_staff_cannot_send_under_another_county(client, programme, staff_b, county_a):
    client.force_login(staff_b)
    response = client.post(
        reverse("programmes:ask-question", args=[programme.slug]),
        {"sender_county": county_a.pk, "message": "Im Namen eines anderen Kreises."},
    )
    assert response.status_code == 400
    assert "für den Sie arbeiten" in response.content.decode()
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"message": "x" * 5001}, "höchstens 5000 Zeichen"),
        ({"sender_email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"privacy": ""}, "zwingend erforderlich"),
        ({"sender_name": ""}, "zwingend erforderlich"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(client, programme, changes, message):
    response = _ask(client, programme, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_the_honeypot_stores_nothing(client, programme, mailoutbox):
    response = _ask(client, programme, website="http://spam.example")
    assert response.status_code == 200
    assert not ContactRequest.objects.exists() and not mailoutbox


def test_a_flood_is_stopped_per_address_and_per_ip(client, programme):
    for _ in range(contact.LIMITS["address"]):
        assert _ask(client, programme).status_code == 200
    response = _ask(client, programme)
    assert response.status_code == 429
    assert "Zu viele Anfragen" in response.content.decode()
    # Other addresses from the same IP address: stopped at the IP limit.
    sent = contact.LIMITS["address"]
    for number in range(contact.LIMITS["ip"] - sent - 1):  # the refused one counted too
        assert _ask(client, programme, sender_email=f"n{number}@x.example").status_code == 200
    assert _ask(client, programme, sender_email="neu@x.example").status_code == 429
    assert ContactRequest.objects.count() < contact.LIMITS["ip"]


@pytest.mark.parametrize("kind", ["frage", "hospitation"])
def test_no_requests_without_a_contact_or_for_unknown_programmes(client, county_a, kind):
    without = ProgrammeFactory(county=county_a, contact_email="")
    draft = ProgrammeFactory(county=county_a, contact_email=CONTACT, draft=True)
    name = "programmes:ask-question" if kind == "frage" else "programmes:ask-visit"
    assert client.get(reverse(name, args=[without.slug])).status_code == 404
    assert client.get(reverse(name, args=[draft.slug])).status_code == 404
    assert client.get(f"/programme/gibt-es-nicht/{kind}/").status_code == 404
    assert "Frage stellen" not in client.get(without.get_absolute_url()).content.decode()


def test_confirmation_links_that_are_unknown_or_expired(client, programme, mailoutbox):
    unknown = client.get("/anfragen/bestaetigen/00000000-0000-0000-0000-000000000000/")
    assert unknown.status_code == 400 and "nicht gültig" in unknown.content.decode()
    assert client.get("/anfragen/bestaetigen/kein-schluessel/").status_code == 404
    _ask(client, programme)
    item = ContactRequest.objects.get()
    ContactRequest.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(hours=contact.CONFIRMATION_HOURS + 1)
    )
    mailoutbox.clear()
    response = client.post(f"/anfragen/bestaetigen/{item.token}/")
    assert response.status_code == 400 and "abgelaufen" in response.content.decode()
    assert not ContactRequest.objects.exists() and not mailoutbox


def test_reminder_after_seven_days_once(programme, staff_a, mailoutbox):
    item = ContactRequestFactory(
        programme=programme, confirmed_at=timezone.now() - timedelta(days=8)
    )
    call_command("send_request_reminders")
    assert {address for m in mailoutbox for address in m.to} == {CONTACT, staff_a.email}
    assert reverse("admin:programmes_contactrequest_change", args=[item.pk]) in mailoutbox[0].body
    mailoutbox.clear()
    call_command("send_request_reminders")
    assert not mailoutbox


def test_requests_are_deleted_a_year_after_closing(programme):
    now = timezone.now()

    def make(state, **times):
        return ContactRequestFactory(programme=programme, state=state, **times)

    old = make(RequestState.CLOSED, closed_at=now - timedelta(days=366))
    ContactReply.objects.create(request=old, body="Antwort")
    recent = make(RequestState.CLOSED, closed_at=now - timedelta(days=300))
    answered = make(RequestState.ANSWERED, answered_at=now - timedelta(days=100))
    open_one = make(RequestState.OPEN, confirmed_at=now - timedelta(days=400))
    expired = make(RequestState.UNCONFIRMED)
    ContactRequest.objects.filter(pk=expired.pk).update(created_at=now - timedelta(days=3))

    call_command("purge_contact_requests")

    assert set(ContactRequest.objects.values_list("pk", flat=True)) == {
        recent.pk,
        answered.pk,
        open_one.pk,
    }
    assert not ContactReply.objects.exists()
    answered.refresh_from_db()
    assert answered.state == RequestState.CLOSED  # and deleted a year from now


def test_programme_pages_count_the_answers_of_their_own_county(client, programme, county_b):
    """Every programme page of a county names what the county answered through the portal:
    questions and study visits apart, unanswered and unconfirmed requests not at all."""
    second = ProgrammeFactory(county=programme.county, title="Sprachpaten")
    elsewhere = ProgrammeFactory(county=county_b, title="Kulturlotsen")
    now = timezone.now()
    for item, kind, state, answered_at in [
        (programme, RequestKind.QUESTION, RequestState.ANSWERED, now),
        (second, RequestKind.QUESTION, RequestState.CLOSED, now),
        (programme, RequestKind.VISIT, RequestState.ANSWERED, now),
        (programme, RequestKind.QUESTION, RequestState.OPEN, None),
        (programme, RequestKind.VISIT, RequestState.UNCONFIRMED, None),
        (elsewhere, RequestKind.QUESTION, RequestState.CLOSED, None),  # closed unanswered
    ]:
        ContactRequestFactory(programme=item, kind=kind, state=state, answered_at=answered_at)
    counted = "hat über das Portal 2 Fragen und 1 Hospitationsanfragen beantwortet"
    for page in (programme, second):
        assert counted in client.get(page.get_absolute_url()).content.decode()
    assert "über das Portal" not in client.get(elsewhere.get_absolute_url()).content.decode()


def test_editors_see_counts_not_contents(client, editor, programme):
    ContactRequestFactory(
        programme=programme, kind=RequestKind.VISIT, message="Geheimer Inhalt der Anfrage"
    )
    client.force_login(editor)
    response = client.get(reverse("admin:programmes_contactrequest_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "nur Anzahlen" in page and "Hospitation" in page
    assert "Geheimer Inhalt" not in page and "jana@musterhausen.example" not in page
    item = ContactRequest.objects.get()
    response = client.get(reverse("admin:programmes_contactrequest_change", args=[item.pk]))
    assert "Geheimer Inhalt" not in response.content.decode()


def test_the_privacy_policy_says_what_is_kept(client):
    page = client.get("/datenschutz/").content.decode()
    assert "Anfragen" in page and "12 Monate" in page
