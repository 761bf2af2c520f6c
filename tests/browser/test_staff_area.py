"""The staff area in the portal's look, accessible to everyone who keeps content."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from counties.models import County
from programmes.models import Programme
from tests.browser.test_staff_journeys import log_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_pages_have_no_axe_violations_and_the_portals_look(portal, page):
    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    make_user("erika", "Redaktion")
    programme = Programme.objects.filter(county=neuss).first()
    axe = Axe()
    reports = {}
    for user, paths in {
        "alice": [
            "/admin/",
            "/admin/programmes/programme/",
            "/admin/programmes/programme/add/",
            f"/admin/programmes/programme/{programme.pk}/change/",
            f"/admin/programmes/programme/{programme.pk}/history/",
            "/admin/programmes/programme/import/",
        ],
        "erika": ["/admin/", "/admin/programmes/keyword/", "/admin/programmes/searchsynonym/"],
    }.items():
        page.context.clear_cookies()
        log_in(page, portal, user)
        for path in paths:
            page.goto(f"{portal.url}{path}")
            results = axe.run(page)
            if results.violations_count:
                reports[f"{user} {path}"] = results.generate_report()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())

    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Fira Sans" in font
    expect(page.get_by_role("link", name="Zum öffentlichen Portal")).to_be_visible()
    expect(page.locator('link[rel="icon"]')).to_have_attribute("href", re.compile("favicon"))
    page.goto(f"{portal.url}/admin/")
    expect(page.get_by_role("link", name="Schlagwörter")).to_be_visible()


def test_form_labels_do_not_break_inside_words_and_titles_fit(portal, page):
    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    log_in(page, portal, "alice")
    page.goto(f"{portal.url}/admin/programmes/programme/add/")
    title = page.get_by_label(re.compile(r"^Titel:?$"))
    assert title.bounding_box()["width"] >= 500
    # Every label is as tall as one line of its longest word: no word is split.
    for label in page.locator(".aligned label").all()[:20]:
        words = label.inner_text().split()
        if not words:
            continue
        widest = max(words, key=len)
        width = label.evaluate(
            "(el, word) => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = getComputedStyle(el).font; return c.measureText(word).width; }",
            widest,
        )
        assert width <= label.bounding_box()["width"] + 1, widest


def test_a_new_address_writes_umlauts_as_the_server_does(portal, page):
    from portal.text import german_slugify

    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    log_in(page, portal, "alice")
    page.goto(f"{portal.url}/admin/programmes/programme/add/")
    title = "Sprachkurs für Mütter in ländlichen Orten"
    page.get_by_label(re.compile(r"^Titel:?$")).press_sequentially(title)
    expected = german_slugify(title)
    assert expected == "sprachkurs-fuer-muetter-in-laendlichen-orten"
    expect(page.get_by_label("Adresskürzel")).to_have_value(expected)


def test_staff_pages_fit_a_phone_screen(portal, browser):
    neuss = County.objects.get(ags="05162")
    make_user("alice", "Kreisredaktion", county=neuss)
    programme = Programme.objects.filter(county=neuss).first()
    context = browser.new_context(locale="de-DE", viewport={"width": 375, "height": 800})
    page = context.new_page()
    log_in(page, portal, "alice")
    wide = {}
    for path in [
        "/admin/",
        "/admin/programmes/programme/",
        f"/admin/programmes/programme/{programme.pk}/change/",
        f"/admin/programmes/programme/{programme.pk}/history/",
        f"/admin/programmes/programme/{programme.pk}/vorschau/",
        "/admin/programmes/programme/import/",
    ]:
        page.goto(f"{portal.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[path] = width
    context.close()
    assert wide == {}
