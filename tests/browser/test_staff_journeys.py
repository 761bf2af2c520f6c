"""The two journeys of issue 3 in a real browser: county staff write and submit, an editor
publishes and features, and the programme leads the home page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from programmes.enums import PublicationState
from programmes.models import Programme
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Sprachpatenschaften im ländlichen Raum"


def log_in(page, portal, username):
    page.goto(f"{portal.url}/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill("pw")
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def log_out(page):
    page.get_by_role("button", name="Abmelden").first.click()


def test_staff_submit_then_editor_publishes_and_features(portal, page):
    from counties.models import County

    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    make_user("erika", "Redaktion")

    # County staff: add a programme with fields of action and a best-practice profile.
    log_in(page, portal, "alice")
    page.goto(f"{portal.url}/admin/programmes/programme/add/")
    page.get_by_label(re.compile(r"^Titel:?$")).fill(TITLE)
    page.get_by_label("Kurzbeschreibung").fill("Ehrenamtliche üben mit Zugewanderten Deutsch.")
    page.get_by_label(re.compile(r"^Beschreibung:?$")).fill("Paare treffen sich wöchentlich.")
    page.get_by_label("Sprache", exact=True).check()
    page.get_by_label("Ehrenamt", exact=True).check()
    page.get_by_label("Schlagwörter").fill("Patenschaft, Sprachcafé")
    page.get_by_text("Praxisbeispiel-Profil hinzufügen").click()
    profile = {
        "Ausgangslage": "Lange Wartelisten für Kurse.",
        "Vorgehen": "Der Kreis vermittelt Paare.",
        "Ergebnisse und Wirkung": "120 Paare im ersten Jahr.",
        "Erfolgsfaktoren": "Feste Ansprechperson.",
        "Stolpersteine und Lehren": "Zu wenige Männer als Paten.",
        "benötigtes Personal": "Eine halbe Stelle.",
        "benötigte Mittel": "20.000 Euro im Jahr.",
        "benötigte Partner": "VHS, Vereine.",
        "Vorlaufzeit": "Drei Monate.",
    }
    inline = page.locator("#best_practice-0")
    for label, text in profile.items():
        inline.get_by_label(re.compile(rf"^{label}:?$", re.IGNORECASE)).fill(text)
    expect(inline.get_by_label(re.compile(r"^hervorgehoben:?$", re.IGNORECASE))).to_have_count(0)
    page.get_by_role("button", name="Sichern", exact=True).last.click()
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich")

    programme = Programme.objects.get(title=TITLE)
    assert programme.county == neuss
    assert programme.publication_state == PublicationState.DRAFT
    page.goto(f"{portal.url}/admin/programmes/programme/{programme.pk}/change/")
    page.get_by_role("button", name="Sichern und zur Prüfung einreichen").first.click()
    expect(page.locator(".workflow-panel")).to_contain_text("Eingereicht")

    # The preview: the public page, marked, before anything is public.
    page.get_by_role("link", name="Vorschau", exact=True).click()
    expect(page.get_by_text("Vorschau – nicht veröffentlicht (Eingereicht)")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.get_by_role("link", name="Zurück zum Formular").click()
    log_out(page)

    # Editor: sees it in the review queue, publishes, recognises and features it.
    log_in(page, portal, "erika")
    page.get_by_role("link", name=f"Vorschau von „{TITLE}“").click()
    expect(page.get_by_text("Vorschau – nicht veröffentlicht (Eingereicht)")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    page.get_by_role("link", name=TITLE, exact=True).click()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".workflow-panel")).to_contain_text(re.compile("veröffentlicht", re.I))
    inline = page.locator("#best_practice-0")
    inline.get_by_label(re.compile("als Praxisbeispiel ausgezeichnet", re.IGNORECASE)).check()
    inline.get_by_label(re.compile(r"^hervorgehoben:?$", re.IGNORECASE)).check()
    inline.get_by_label(re.compile("Rang unter den hervorgehobenen", re.IGNORECASE)).fill("1")
    inline.get_by_label(re.compile("Begründung der Redaktion", re.IGNORECASE)).fill(
        "Einfach zu übertragen."
    )
    page.get_by_role("button", name="Sichern", exact=True).last.click()
    expect(page.locator(".messagelist")).to_contain_text("erfolgreich")

    # The public home page: the new example comes first among the featured ones.
    page.goto(f"{portal.url}/")
    first = page.locator("section[aria-labelledby=featured-heading] .kern-card .kern-title").first
    expect(first).to_have_text(TITLE)
    first.get_by_role("link").click()
    expect(page.get_by_text("Von der Redaktion ausgewählt")).to_be_visible()
    expect(page.get_by_text("Einfach zu übertragen.")).to_be_visible()
