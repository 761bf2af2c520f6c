"""The exchange between counties in a real browser: staff take a practice over and submit
it; a visitor asks a question, confirms the address, the county answers, the visitor gets
the answer. Every new page and form is checked with axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from counties.models import County
from programmes.enums import PublicationState
from programmes.models import ContactRequest, Programme, RequestState
from tests.browser.test_staff_journeys import log_in, log_out
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE = "Wohnraumvermittlung und Vermieterberatung"  # Harburg's, in the demo content


def _no_violations(page, axe, reports, name):
    results = axe.run(page)
    if results.violations_count:
        reports[name] = results.generate_report()


def test_staff_take_a_practice_over_and_submit_it(portal, page):
    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    source = Programme.objects.get(title=SOURCE)
    axe, reports = Axe(), {}

    log_in(page, portal, "alice")
    page.goto(f"{portal.url}{source.get_absolute_url()}")
    _no_violations(page, axe, reports, "programme page with the take-over button")
    expect(page.get_by_text("Übernommen von 1 Kreis:")).to_be_visible()  # from the demo
    page.get_by_role("button", name="In meinen Kreis übernehmen").click()

    expect(page.locator(".messagelist")).to_contain_text("Entwurf")
    adopted = Programme.objects.get(adapted_from=source, county=neuss)
    assert adopted.publication_state == PublicationState.DRAFT
    expect(page.get_by_text(f"{SOURCE} (Harburg)")).to_be_visible()
    _no_violations(page, axe, reports, "form of the taken-over draft")

    # Submitting without saying what changed: a clear message, still a draft.
    page.get_by_role("button", name="Sichern und zur Prüfung einreichen").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Was Ihr Kreis geändert hat")
    adopted.refresh_from_db()
    assert adopted.publication_state == PublicationState.DRAFT

    page.get_by_label(re.compile("Was Ihr Kreis geändert hat", re.IGNORECASE)).fill(
        "Sprechtage in den Gemeinden statt einer zentralen Fachstelle."
    )
    page.get_by_role("button", name="Sichern und zur Prüfung einreichen").first.click()
    expect(page.locator(".workflow-panel")).to_contain_text("Eingereicht")
    adopted.refresh_from_db()
    assert adopted.publication_state == PublicationState.SUBMITTED
    assert adopted.adaptation_note.startswith("Sprechtage")

    # The take-over page itself (chosen directly, e.g. from a bookmark).
    other = Programme.objects.published().exclude(county=neuss).exclude(pk=source.pk).first()
    page.goto(f"{portal.url}/programme/{other.slug}/uebernehmen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("In meinen Kreis übernehmen")
    _no_violations(page, axe, reports, "take-over page")
    assert reports == {}, "\n\n".join(f"{n}:\n{r}" for n, r in reports.items())


def test_a_visitor_asks_confirms_and_receives_the_answer(portal, page):
    source = Programme.objects.get(title=SOURCE)
    harburg = source.county
    make_user("hanna", "Kreisredaktion", county=harburg)
    axe, reports = Axe(), {}
    mail.outbox.clear()

    page.goto(f"{portal.url}{source.get_absolute_url()}")
    page.get_by_role("link", name="Frage stellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frage stellen")
    _no_violations(page, axe, reports, "question form")
    page.get_by_role("button", name="Senden").click()  # empty: the errors are named
    expect(page.get_by_role("alert").first).to_be_visible()
    _no_violations(page, axe, reports, "question form with errors")

    page.get_by_label("Ihr Name").fill("Jana Beispiel")
    page.get_by_label("Organisation").fill("Stadt Musterhausen")
    page.get_by_label("Ihre E-Mail-Adresse").fill("jana@musterhausen.example")
    page.get_by_label("Ihre Nachricht").fill("Wie haben Sie private Vermieter gewonnen?")
    page.get_by_label(re.compile("Datenschutzerklärung gelesen")).check()
    page.get_by_role("button", name="Senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    )
    _no_violations(page, axe, reports, "please confirm")

    confirmation = next(m for m in mail.outbox if m.to == ["jana@musterhausen.example"])
    link = re.search(r"https?://\S+/anfragen/bestaetigen/\S+/", confirmation.body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", portal.url, link))
    _no_violations(page, axe, reports, "confirmation page")
    page.get_by_role("button", name="Bestätigen und senden").click()
    expect(page.get_by_text("Danke – Ihre Anfrage wurde weitergeleitet")).to_be_visible()
    item = ContactRequest.objects.get()
    assert item.state == RequestState.OPEN
    assert source.contact_email in {a for m in mail.outbox for a in m.to}

    # The county answers from the staff area.
    log_in(page, portal, "hanna")
    page.goto(f"{portal.url}/admin/programmes/contactrequest/")
    _no_violations(page, axe, reports, "requests in the staff area")
    page.get_by_role("link", name=re.compile(r"\d")).first.click()
    expect(page.get_by_text("Wie haben Sie private Vermieter gewonnen?")).to_be_visible()
    _no_violations(page, axe, reports, "one request in the staff area")
    page.get_by_label("Ihre Antwort").fill("Über den Haus- und Grundbesitzerverein.")
    page.get_by_role("button", name="Sichern", exact=True).last.click()
    expect(page.locator(".messagelist")).to_contain_text("Ihre Antwort wurde versendet")
    item.refresh_from_db()
    assert item.state == RequestState.ANSWERED
    log_out(page)

    answer = [m for m in mail.outbox if m.to == ["jana@musterhausen.example"]][-1]
    assert "Über den Haus- und Grundbesitzerverein." in answer.body
    assert source.contact_email not in answer.body
    # The programme page shows the answered question.
    page.goto(f"{portal.url}{source.get_absolute_url()}")
    expect(page.get_by_text(re.compile("1 Frage und 0 Hospitationsanfragen"))).to_be_visible()

    page.get_by_role("link", name="Hospitation anfragen").click()
    _no_violations(page, axe, reports, "study-visit form")
    assert reports == {}, "\n\n".join(f"{n}:\n{r}" for n, r in reports.items())
