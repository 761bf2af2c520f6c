"""The public journey with the keyboard alone: search, filter, open a programme, go on to
comparable counties; every focused element visibly marked, and no trap."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# The focused element, or the card around a card's link (:focus-within), shows an outline
# or a focus shadow.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const marked = (node) => {
    const style = getComputedStyle(node);
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return outlined || style.boxShadow !== "none";
  };
  const card = el.closest(".kern-card");
  const text = (el.innerText || el.value || el.id || el.tagName).trim().slice(0, 60);
  return {shown: marked(el) || (card !== null && marked(card)), text: text};
}"""


def tab_to(page, matches, limit=120):
    """Press Tab until the focused element matches; every stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        if focus is None:
            continue
        assert focus["shown"], f"no visible focus on {focus['text']!r} at {page.url}"
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {matches}; }})()"):
            return
    raise AssertionError(f"not reached by keyboard at {page.url}: {matches}")


def test_the_public_journey_works_with_the_keyboard_alone(portal, page):
    page.goto(f"{portal.url}/")
    tab_to(page, "el.id === 'home-q'")
    page.keyboard.type("Sprachkurs")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/programme/\?q=Sprachkurs"))

    tab_to(page, "el.type === 'checkbox' && el.labels[0].innerText.startsWith('Sprache')")
    page.keyboard.press("Space")
    tab_to(page, "el.tagName === 'BUTTON' && el.innerText.includes('Filter anwenden')")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"handlungsfeld=sprache"))

    tab_to(page, "el.closest('.card-grid') !== null && el.tagName === 'A'")
    title = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    tab_to(page, "el.tagName === 'A' && el.href.includes('/vergleichbare-kreise/?kreis=')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Praxis aus vergleichbaren Kreisen")
    expect(page.locator("#similar-heading")).to_be_visible()
