import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from programmes.models import BestPracticeProfile, Programme

pytestmark = pytest.mark.django_db(transaction=True)


def choice(label):
    """A filter checkbox by its label, which ends in the number of matching programmes."""
    return re.compile(rf"^{re.escape(label)} \(\d+\)$")


def test_filter_the_list_by_clicking_and_open_a_programme(portal, page):
    page.goto(f"{portal.url}/programme/")
    total = Programme.objects.published().count()
    expect(page.get_by_role("heading", level=2, name=f"{total} Programme gefunden")).to_be_visible()

    page.get_by_label(choice("Wohnen")).check()
    page.get_by_role("button", name="Filter anwenden").click()

    housing = Programme.objects.published().filter(fields_of_action__slug="housing").count()
    expect(
        page.get_by_role("heading", level=2, name=f"{housing} Programme gefunden")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Handlungsfeld: Wohnen"))).to_be_visible()

    page.locator("summary", has_text="Zielgruppe").click()
    page.get_by_label(choice("Familien")).check()
    page.get_by_role("button", name="Filter anwenden").click()
    both = (
        Programme.objects.published()
        .filter(fields_of_action__slug="housing")
        .filter(target_groups__slug="families")
        .distinct()
        .count()
    )
    assert 0 < both < housing
    expect(
        page.get_by_role("heading", level=2, name=re.compile(f"^{both} Programm"))
    ).to_be_visible()

    first_card = page.locator(".card-grid .kern-card").first
    title = first_card.get_by_role("link").inner_text()
    first_card.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Auf einen Blick")).to_be_visible()


def test_removing_a_chip_keeps_the_other_filters(portal, page):
    page.goto(f"{portal.url}/programme/?handlungsfeld=language&land=bayern&sortierung=titel")
    page.get_by_role("link", name=re.compile("Land: Bayern")).click()

    assert "land=" not in page.url
    assert "handlungsfeld=language" in page.url
    assert "sortierung=titel" in page.url
    expect(page.get_by_label(choice("Sprache"))).to_be_checked()


def test_skip_link_moves_focus_to_the_content(portal, page):
    page.goto(f"{portal.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    # The jump to the fragment is asynchronous: wait for it rather than read the address once.
    expect(page).to_have_url(re.compile(r"#main$"))


def test_home_shows_featured_best_practices_in_rank_order(portal, page):
    page.goto(f"{portal.url}/")
    featured = [p.programme.title for p in BestPracticeProfile.objects.featured()]
    cards = page.locator("section[aria-labelledby=featured-heading] .kern-card .kern-title")
    expect(cards).to_have_text(featured)
    expect(page.get_by_text("Beispieldaten")).to_be_visible()


def _pages(portal):
    programme = Programme.objects.published().filter(best_practice__isnull=False).first()
    return {
        "home": "/",
        "list": "/programme/",
        "filtered list": "/programme/?handlungsfeld=housing&land=bayern&seite=x",
        "detail": programme.get_absolute_url(),
        "county directory": "/kreise/",
        "county profile": programme.county.get_absolute_url(),
        "field of action": "/handlungsfelder/sprache/",
        "imprint": "/impressum/",
        "accessibility statement": "/barrierefreiheit/",
        "not found": "/programme/gibt-es-nicht/",
        "fields of action": "/handlungsfelder/",
        "login": "/anmelden/",
        "password reset": "/passwort/vergessen/",
        "statistics": "/statistik/",
        "comparable counties": f"/vergleichbare-kreise/?kreis={programme.county.slug}",
        "open data": "/offene-daten/",
        "search": "/programme/?q=Sprachkurse",
        "corrected search": "/programme/?q=Ehrenamtskordination+Bayern",
    }


def test_main_pages_have_no_axe_violations(portal, page):
    axe = Axe()
    reports = {}
    for name, path in _pages(portal).items():
        page.goto(f"{portal.url}{path}")
        results = axe.run(page)
        if results.violations_count:
            reports[name] = results.generate_report()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/programme/?q=" + "Integrationskursträgerkoordination" * 4,
        "/kreise/",
        "/kreise/rhein-kreis-neuss/",
        "/statistik/",
        "/vergleichbare-kreise/?kreis=rhein-kreis-neuss",
        "/programme/?q=Sprachkurs&handlungsfeld=work",
    ],
)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(portal, browser, path):
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{portal.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_search_corrects_a_typo_offers_the_land_and_orders_by_relevance(portal, page):
    page.goto(f"{portal.url}/programme/")
    search_box = page.get_by_role("searchbox", name="Suche")
    search_box.fill("Ehrenamtskordination")
    search_box.press("Enter")

    expect(page.get_by_text("Ergebnisse für „ehrenamtskoordination“")).to_be_visible()
    expect(page.get_by_label("Sortieren nach")).to_have_value("relevanz")
    first = page.locator(".card-grid .kern-card").first
    expect(first.locator("mark").first).to_be_visible()  # the matched word, highlighted

    page.get_by_role("link", name="stattdessen nach „Ehrenamtskordination“ suchen").click()
    expect(page.get_by_role("heading", level=2, name="0 Programme gefunden")).to_be_visible()

    search_box = page.get_by_role("searchbox", name="Suche")
    search_box.fill("Sprachkurs Bayern")
    search_box.press("Enter")
    page.get_by_role("link", name="Nur Programme aus Bayern zeigen").click()
    expect(page.get_by_role("link", name=re.compile("Land: Bayern"))).to_be_visible()
    bavarian = Programme.objects.published().filter(county__state__slug="bayern").count()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(rf"^{bavarian} Programm"))
    ).to_be_visible()


def test_on_a_phone_filters_wait_behind_a_button_and_results_come_first(portal, browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{portal.url}/programme/")
    toggle = page.get_by_role("button", name=re.compile(r"^Filter anzeigen \(0 aktiv\)"))
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Filter anwenden")).to_be_hidden()

    toggle.click()
    page.get_by_label(choice("Wohnen")).check()
    page.get_by_role("button", name="Filter anwenden").click()

    expect(page).to_have_url(re.compile(r"handlungsfeld=wohnen.*#result-heading$"))
    heading = page.locator("#result-heading")
    expect(heading).to_be_in_viewport()
    expect(page.get_by_role("button", name="Filter anzeigen (1 aktiv)")).to_be_visible()
    expect(page.get_by_role("button", name="Filter anwenden")).to_be_hidden()
    context.close()


def test_on_a_wide_screen_the_filters_are_simply_shown(portal, page):
    page.goto(f"{portal.url}/programme/")
    expect(page.get_by_role("button", name=re.compile("^Filter anzeigen"))).to_be_hidden()
    expect(page.get_by_role("button", name="Filter anwenden")).to_be_visible()
