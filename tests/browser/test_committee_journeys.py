"""Taking practice to a committee, in a real browser: collect three programmes, compare
them, reorder, share and download the dossier; save a search, confirm it, receive a digest
once a new programme is published, end it in one click. Every new page is checked with axe."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from programmes import digests, services
from programmes.models import FieldOfAction, Programme, SearchSubscription
from tests.conftest import make_user
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _no_violations(page, axe, reports, name):
    results = axe.run(page)
    if results.violations_count:
        reports[name] = results.generate_report()


def _named(action, title):
    """A button's name: what it does, then (for screen readers) which programme."""
    return re.compile(rf"^{action}\s*:\s*{re.escape(title)}$")


def _local(portal, link):
    return re.sub(r"^https?://[^/]+", portal.url, link)


def test_collect_compare_and_download_the_dossier(portal, page, browser):
    axe, reports = Axe(), {}
    page.goto(f"{portal.url}/programme/?handlungsfeld=wohnen")
    cards = page.locator(".card-grid > li")
    titles = [cards.nth(i).locator("h3").inner_text() for i in range(3)]
    for index, title in enumerate(titles, start=1):
        card = cards.nth(index - 1)
        card.get_by_role("button", name=_named("Merken", title)).click()
        # With JavaScript the page stays; button, header count and notice change in place.
        expect(card.get_by_role("button", name=re.compile("Gemerkt"))).to_be_visible()
        expect(page.locator("[data-merkliste-count]")).to_have_text(f" ({index})")
    expect(page.locator("#site-messages")).to_contain_text("steht auf Ihrer Merkliste")
    _no_violations(page, axe, reports, "list with saved programmes")

    page.get_by_role("link", name="Merkliste (3)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merkliste")
    headers = page.locator(".compare-table thead th")
    expect(headers).to_have_count(4)  # the row labels and the three programmes
    _no_violations(page, axe, reports, "Merkliste with comparison")

    # The first one down: the order changes in the list and in the comparison.
    page.get_by_role("button", name=_named("Nach unten", titles[0])).click()
    expect(headers.nth(1)).to_have_text(titles[1])
    expect(headers.nth(2)).to_have_text(titles[0])

    with page.expect_download() as download:
        page.get_by_role("link", name="Dossier als PDF").click()
    reader = PdfReader(download.value.path())
    contents = reader.pages[1].extract_text()
    assert [contents.index(t[:30]) for t in (titles[1], titles[0], titles[2])] == sorted(
        contents.index(t[:30]) for t in titles
    )
    assert "Statistisches Bundesamt (Destatis)" in "".join(p.extract_text() for p in reader.pages)

    # A colleague opens the shared link without a session and takes the list over.
    share = page.get_by_label("Link zu dieser Liste").input_value()
    colleague = browser.new_context(locale="de-DE").new_page()
    colleague.goto(_local(portal, share))
    expect(colleague.locator(".compare-table thead th")).to_have_count(4)
    _no_violations(colleague, axe, reports, "shared Merkliste")
    colleague.get_by_role("button", name="In meine Merkliste übernehmen").click()
    expect(colleague.get_by_role("link", name="Merkliste (3)")).to_be_visible()
    colleague.context.close()

    page.get_by_role("button", name=_named("Entfernen", titles[2])).click()
    expect(page.get_by_role("link", name="Merkliste (2)")).to_be_visible()
    assert reports == {}, "\n\n".join(f"{n}:\n{r}" for n, r in reports.items())


def test_without_javascript_the_buttons_are_plain_forms(portal, browser):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    programme = Programme.objects.published().first()

    page.goto(f"{portal.url}{programme.get_absolute_url()}")
    page.get_by_role("button", name=_named("Merken", programme.title)).click()

    expect(page.locator("#site-messages")).to_contain_text("steht auf Ihrer Merkliste")
    expect(page.get_by_role("button", name=re.compile("Gemerkt – entfernen"))).to_be_visible()
    expect(page.get_by_role("link", name="Merkliste (1)")).to_be_visible()

    # A dossier of nothing: a page that says why.
    fresh = browser.new_context(locale="de-DE").new_page()
    fresh.goto(f"{portal.url}/merkliste/dossier.pdf")
    expect(fresh.get_by_text("Für ein Dossier gibt es nichts")).to_be_visible()
    results = Axe().run(fresh)
    assert results.violations_count == 0, results.generate_report()
    fresh.context.close()
    context.close()


def test_subscribe_confirm_receive_a_digest_and_unsubscribe(portal, page):
    axe, reports = Axe(), {}
    editor = make_user("erika", "Redaktion")
    mail.outbox.clear()

    page.goto(f"{portal.url}/programme/?handlungsfeld=wohnen")
    expect(page.get_by_role("link", name=re.compile("Feed abonnieren"))).to_have_attribute(
        "href", "/feeds/handlungsfelder/wohnen/"
    )
    page.get_by_role("link", name="Diese Suche per E-Mail abonnieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suche abonnieren")
    expect(page.get_by_text("Handlungsfeld: Wohnen")).to_be_visible()
    _no_violations(page, axe, reports, "subscribe form")
    page.get_by_role("button", name="Abonnieren").click()  # empty: the errors are named
    expect(page.get_by_role("alert").first).to_be_visible()
    _no_violations(page, axe, reports, "subscribe form with errors")

    page.get_by_label("Ihre E-Mail-Adresse").fill("jana@musterhausen.example")
    page.get_by_label("Monatlich").check()
    page.get_by_label(re.compile("Datenschutzerklärung gelesen")).check()
    page.get_by_role("button", name="Abonnieren").click()
    expect(page.get_by_text("Fast geschafft")).to_be_visible()
    _no_violations(page, axe, reports, "please confirm")
    assert SearchSubscription.objects.get().confirmed_at is None

    confirmation = mail.outbox[-1]
    link = re.search(r"https?://\S+/suchauftrag/bestaetigen/\S+/", confirmation.body).group(0)
    page.goto(_local(portal, link))
    _no_violations(page, axe, reports, "confirmation page")
    page.get_by_role("button", name="Suchauftrag bestätigen").click()
    expect(page.get_by_text("Danke – Ihr Suchauftrag ist aktiv")).to_be_visible()

    # The page of all saved searches of the address, reached by a link sent to it.
    page.goto(f"{portal.url}/suchauftrag/verwalten/")
    page.get_by_label("Ihre E-Mail-Adresse").fill("jana@musterhausen.example")
    page.get_by_role("button", name="Link zuschicken").click()
    expect(page.get_by_text("Bitte schauen Sie in Ihr Postfach")).to_be_visible()
    manage = re.search(r"https?://\S+/suchauftrag/verwalten/\S+/", mail.outbox[-1].body)
    page.goto(_local(portal, manage.group(0)))
    expect(page.get_by_role("cell", name="Handlungsfeld: Wohnen", exact=True)).to_be_visible()
    _no_violations(page, axe, reports, "saved searches of an address")

    # A county publishes a new housing programme; the next run reports it once.
    draft = ProgrammeFactory(
        county=Programme.objects.first().county,
        title="Mietführerschein für Geflüchtete",
        draft=True,
        fields=[],
    )
    draft.fields_of_action.set([FieldOfAction.objects.get(address="wohnen")])
    services.programme_publish(programme=draft, user=editor)
    mail.outbox.clear()
    assert digests.send_digests(every=True) == (1, 1, 0)
    assert digests.send_digests(every=True) == (0, 0, 0)
    digest = mail.outbox[0]
    assert "Mietführerschein für Geflüchtete" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    end = re.search(r"https?://\S+/suchauftrag/beenden/\S+/", digest.body).group(0)
    page.goto(_local(portal, end))
    _no_violations(page, axe, reports, "end page")
    page.get_by_role("button", name="Suchauftrag beenden").click()
    expect(page.get_by_text("Ihr Suchauftrag wurde beendet")).to_be_visible()
    assert not SearchSubscription.objects.exists()

    page.get_by_role("link", name="Suchaufträge Ihrer Adresse ansehen oder beenden").click()
    _no_violations(page, axe, reports, "ask for the manage link")
    assert reports == {}, "\n\n".join(f"{n}:\n{r}" for n, r in reports.items())


def test_a_programme_page_prints_without_navigation_and_buttons(portal, page):
    programme = Programme.objects.published().filter(best_practice__is_recognised=True).first()
    page.goto(f"{portal.url}{programme.get_absolute_url()}")
    page.emulate_media(media="print")

    expect(page.get_by_role("heading", level=1)).to_have_text(programme.title)
    expect(page.get_by_role("heading", name="Auf einen Blick")).to_be_visible()
    for hidden in (".site-nav", ".merken-form", ".exchange-actions", ".skip-link"):
        expect(page.locator(hidden).first).to_be_hidden()
    pdf = page.pdf(format="A4")  # the browser's own print
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert programme.title[:30] in text
    assert "Merken" not in text and "Hauptnavigation" not in text


def test_staff_follow_counties_like_theirs_in_one_click(portal, page):
    from counties.models import County
    from tests.browser.test_staff_journeys import log_in

    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    log_in(page, portal, "alice")
    page.goto(f"{portal.url}/vergleichbare-kreise/?kreis={neuss.slug}")
    button = page.get_by_role("button", name=f"Kreisen wie {neuss.name} per E-Mail folgen")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    button.click()

    expect(page.locator("#site-messages")).to_contain_text(
        f"Sie folgen jetzt Kreisen wie {neuss.name}"
    )
    expect(button).to_have_count(0)
    subscription = SearchSubscription.objects.get()
    assert (subscription.similar_to, subscription.email) == (neuss, "alice@example.org")
