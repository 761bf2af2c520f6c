"""The Content-Security-Policy in a real browser: no page of the portal or of the staff
area does anything the policy blocks, and the admin's scripts still work under it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from counties.models import County
from programmes.models import Programme
from tests.browser.test_staff_journeys import log_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Playwright injects this before any script of the page; the policy does not apply to it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"} ` +
    `(${event.sourceFile || document.location.pathname}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def problems(page):
    """Everything the browser complains about: policy violations, script errors and
    console errors (Chromium also logs a violation there, and a bad Permissions-Policy)."""
    found = []

    def on_page(text):
        found.append(f"{page.url}: {text}")

    page.expose_function("reportViolation", on_page)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("pageerror", lambda error: on_page(f"script error: {error}"))
    page.on("console", lambda msg: on_page(msg.text) if _is_problem(msg) else None)
    return found


def _is_problem(message):
    # The admin's pages name no icon, so Chromium asks for /favicon.ico; its 404 is no
    # business of the policy.
    return message.type == "error" and not message.location["url"].endswith("/favicon.ico")


def visit(page, portal, path):
    response = page.goto(f"{portal.url}{path}")
    assert response.status == 200, path
    assert "content-security-policy" in response.headers  # Playwright lowercases names
    page.wait_for_load_state("networkidle")


def test_public_pages_break_no_rule_of_the_policy(portal, page, problems):
    programme = Programme.objects.published().filter(best_practice__isnull=False).first()
    paths = [
        "/",
        "/programme/",
        "/programme/?handlungsfeld=housing&land=bayern",
        "/programme/?q=Sprachkurse",
        programme.get_absolute_url(),
        "/kreise/",
        programme.county.get_absolute_url(),
        "/handlungsfelder/",
        "/handlungsfelder/sprache/",
        "/statistik/",
        "/offene-daten/",
        f"/vergleichbare-kreise/?kreis={programme.county.slug}",
        "/impressum/",
        "/datenschutz/",
        "/barrierefreiheit/",
        "/datenquellen/",
        "/anmelden/",
        "/passwort/vergessen/",
    ]
    for path in paths:
        visit(page, portal, path)

    assert problems == [], "\n".join(problems)


def _staff_pages(county):
    programme = Programme.objects.filter(county=county).order_by("pk").first()
    change = f"/admin/programmes/programme/{programme.pk}/"
    return [
        "/admin/",
        "/admin/programmes/programme/",
        "/admin/programmes/programme/?publication_state__exact=published",
        f"{change}change/",
        "/admin/programmes/programme/add/",
        f"{change}history/",
        "/admin/programmes/programme/import/",
        "/admin/programmes/programme/export/",
        f"/admin/counties/county/{county.pk}/change/",
    ]


@pytest.mark.parametrize("role", ["Redaktion", "Kreisredaktion"])
def test_staff_area_breaks_no_rule_of_the_policy(portal, page, problems, role):
    neuss = County.objects.get(ags="05162")
    make_user("staff", role, county=neuss)

    log_in(page, portal, "staff")
    for path in _staff_pages(neuss):
        visit(page, portal, path)

    assert problems == [], "\n".join(problems)


def test_admin_scripts_work_under_the_policy(portal, page, problems):
    neuss = County.objects.get(ags="05162")
    make_user("erika", "Redaktion")
    log_in(page, portal, "erika")
    page.goto(f"{portal.url}/admin/programmes/programme/add/")

    # prepopulate.js: the address is made from the title as it is typed.
    page.get_by_label(re.compile(r"^Titel:?$")).press_sequentially("Sprachcafe am Markt")
    expect(page.get_by_label("Adresskürzel")).to_have_value("sprachcafe-am-markt")

    # inlines.js: "add another" puts a new funding into the form.
    fundings = page.locator("#fundings-group .inline-related:not(.empty-form)")
    expect(fundings).to_have_count(0)
    page.locator("#fundings-group .add-row a").click()
    expect(fundings).to_have_count(1)

    # The select2 autocomplete asks the server for counties while one types.
    page.locator("#county-group .select2-selection, .field-county .select2-selection").click()
    page.locator(".select2-search__field").fill("Neuss")
    expect(page.locator(".select2-results__option", has_text=neuss.name)).to_be_visible()
    page.locator(".select2-results__option", has_text=neuss.name).click()
    expect(page.locator(".field-county .select2-selection__rendered")).to_have_text(
        re.compile(neuss.name)
    )

    # DateTimeShortcuts: "Heute" next to a date field fills in today's date.
    page.locator(".field-start_date .datetimeshortcuts a", has_text="Heute").click()
    today = datetime.date.today().strftime("%d.%m.%Y")
    expect(page.locator("#id_start_date")).to_have_value(today)

    # actions.js on the list: ticking a row counts it.
    page.goto(f"{portal.url}/admin/programmes/programme/")
    page.locator("input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 von")

    # The export page's "Select all" box (an inline handler upstream, a static file here).
    page.goto(f"{portal.url}/admin/programmes/programme/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    expect(fields.first).to_be_checked()
    page.locator("#select-all-toggle").uncheck()
    for checkbox in fields.all():
        expect(checkbox).not_to_be_checked()

    assert problems == [], "\n".join(problems)
