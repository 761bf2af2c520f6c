"""The Merkliste: collect, compare, reorder and share programmes, in the session or, for
staff, in the account; drafts never appear; cached pages stay correct for everyone."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.enums import PublicationState
from programmes.merkliste import LIMIT
from programmes.models import MerklistEntry
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

CHANGE = reverse("programmes:merkliste-change")
PAGE = reverse("programmes:merkliste")


def _save(client, programme, action="merken", **extra):
    """Extra fields for the form; HTTP_* names are request headers."""
    headers = {key: value for key, value in extra.items() if key.startswith("HTTP_")}
    fields = {key: value for key, value in extra.items() if key not in headers}
    return client.post(CHANGE, {"programm": programme.pk, "aktion": action, **fields}, **headers)


@pytest.fixture
def three(county_a):
    return [
        ProgrammeFactory(county=county_a, title=title)
        for title in ("Wohnraumlotsen", "Sprachcafé", "Jobpaten")
    ]


def test_a_visitor_collects_three_programmes_and_compares_them(client, three):
    for programme in three:
        response = _save(client, programme, weiter="/programme/")
        assert response.status_code == 302
        assert response["Location"] == "/programme/"

    page = client.get(PAGE).content.decode()

    assert 'Merkliste<span class="merkliste-count" data-merkliste-count> (3)</span>' in page
    positions = [page.index(f">{p.title}</a></th>") for p in three]
    assert positions == sorted(positions)  # the comparison keeps the order of saving
    for label in ("Größe des Kreises", "Handlungsfelder", "Laufende Kosten im Jahr",
                  "Vom Beschluss bis zum Start", "Zuletzt bestätigt"):  # fmt: skip
        assert f'<th scope="row" class="kern-table__cell">{label}</th>' in page
    assert f"?programme={three[0].pk},{three[1].pk},{three[2].pk}" in page


def test_the_list_page_shows_which_programmes_are_saved(client, three):
    _save(client, three[0])

    page = client.get(reverse("programmes:programme-list")).content.decode()

    assert page.count("Gemerkt – entfernen") == 1
    assert page.count(">Merken<") == 2


def test_with_javascript_the_answer_says_what_changed(client, three):
    response = _save(client, three[0], HTTP_ACCEPT="application/json")

    assert response.json() == {
        "message": "„Wohnraumlotsen“ steht auf Ihrer Merkliste.",
        "saved": True,
        "count": 1,
        "label": "Gemerkt – entfernen",
    }
    response = client.post(
        CHANGE, {"programm": three[0].pk, "aktion": "entfernen"}, HTTP_ACCEPT="application/json"
    )
    assert response.json()["saved"] is False
    assert response.json()["count"] == 0


def test_order_can_be_changed_and_programmes_removed(client, three):
    for programme in three:
        _save(client, programme)

    _save(client, three[2], "hoch")
    _save(client, three[0], "runter")
    _save(client, three[1], "entfernen")

    page = client.get(PAGE).content.decode()
    assert f"?programme={three[2].pk},{three[0].pk}" in page
    assert ">Sprachcafé</a>" not in page

    client.post(CHANGE, {"aktion": "leeren"})
    assert "Ihre Merkliste ist leer" in client.get(PAGE).content.decode()


def test_the_list_holds_at_most_ten(client, county_a):
    programmes = ProgrammeFactory.create_batch(LIMIT + 1, county=county_a)
    for programme in programmes[:LIMIT]:
        _save(client, programme)

    response = _save(client, programmes[LIMIT], HTTP_ACCEPT="application/json")

    assert response.status_code == 409
    assert "höchstens 10 Programme" in response.json()["message"]
    assert response.json()["count"] == LIMIT


def test_drafts_and_unknown_numbers_are_refused_and_nothing_leaks(client, county_a):
    draft = ProgrammeFactory(county=county_a, title="Geheimer Entwurf", draft=True)

    assert _save(client, draft).status_code == 404
    assert client.post(CHANGE, {"programm": "99999999", "aktion": "merken"}).status_code == 404
    assert client.post(CHANGE, {"programm": "1; DROP", "aktion": "merken"}).status_code == 404
    assert client.post(CHANGE, {"programm": "", "aktion": "gibts-nicht"}).status_code == 404
    assert "Geheimer Entwurf" not in client.get(PAGE).content.decode()


def test_a_programme_taken_off_the_portal_leaves_the_list_with_a_notice(client, three):
    for programme in three:
        _save(client, programme)
    archived = three[1]
    archived.publication_state = PublicationState.ARCHIVED
    archived.save()

    page = client.get(PAGE).content.decode()

    assert "1 Programm ist nicht mehr veröffentlicht" in page
    assert ">Sprachcafé</a>" not in page
    assert " (2)</span>" in client.get(PAGE).content.decode()


def test_a_shared_link_reproduces_the_list_without_a_login(client, three, county_a):
    draft = ProgrammeFactory(county=county_a, title="Geheimer Entwurf", draft=True)
    ids = f"{three[1].pk},{draft.pk},{three[0].pk}"

    page = Client().get(f"{reverse('programmes:merkliste-shared')}?programme={ids}")

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("Sprachcafé") < text.index("Wohnraumlotsen")
    assert "Geheimer Entwurf" not in text
    assert "nicht (mehr) veröffentlicht" in text

    client.post(CHANGE, {"aktion": "uebernehmen", "programme": ids})
    assert f"?programme={three[1].pk},{three[0].pk}" in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    "value",
    [",".join(str(n) for n in range(1, 1001)), "abc,,-1,1e9,%00", "9" * 400, ""],
)
def test_odd_shared_links_get_a_page_not_an_error(client, three, value):
    response = client.get(reverse("programmes:merkliste-shared"), {"programme": value})

    assert response.status_code == 200
    assert "Geteilte Merkliste" in response.content.decode()


def test_a_form_from_another_site_is_refused(client, three):
    response = _save(client, three[0], HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    response = _save(client, three[0], HTTP_ORIGIN="https://angreifer.example")
    assert response.status_code == 403
    assert "(1)" not in client.get(PAGE).content.decode()


def test_the_way_back_stays_on_the_portal(client, three):
    response = _save(client, three[0], weiter="https://angreifer.example/")

    assert response["Location"] == PAGE


def test_staff_keep_their_list_in_the_account_beyond_a_logout(client, staff_a, three):
    _save(client, three[0])  # collected before signing in
    client.force_login(staff_a)
    _save(client, three[1])
    client.post(reverse("accounts:logout"))

    assert " (" not in client.get(PAGE).content.decode().split("data-merkliste-count>")[1][:5]
    client.force_login(staff_a)
    page = client.get(PAGE).content.decode()
    assert f"?programme={three[0].pk},{three[1].pk}" in page
    assert list(MerklistEntry.objects.values_list("programme_id", flat=True)) == [
        three[0].pk,
        three[1].pk,
    ]


def test_cached_pages_stay_right_for_visitors_with_and_without_a_list(client, settings, three):
    settings.PUBLIC_PAGE_CACHE = True
    url = reverse("programmes:programme-list")
    stranger = Client()
    assert "Gemerkt" not in stranger.get(url).content.decode()  # now in the page cache

    _save(client, three[0])

    assert client.get(url).content.decode().count("Gemerkt – entfernen") == 1
    assert "Gemerkt" not in stranger.get(url).content.decode()


def _queries(client, url):
    client.get(url)  # the notices of the saves are shown once
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_reads_the_same_number_of_queries_for_one_and_ten(client, county_a):
    programmes = ProgrammeFactory.create_batch(LIMIT, county=county_a)
    _save(client, programmes[0])
    one = _queries(client, PAGE)
    for programme in programmes[1:]:
        _save(client, programme)

    assert _queries(client, PAGE) == one <= 12


def test_two_requests_of_one_account_both_count(rf, staff_a, three):
    from programmes.merkliste import Merkliste

    first, second = rf.get("/"), rf.get("/")
    first.user = second.user = staff_a
    one, other = Merkliste(first), Merkliste(second)
    assert one.ids() == other.ids() == []  # both read before either writes

    one.add(three[0].pk)
    other.add(three[1].pk)

    assert list(MerklistEntry.objects.values_list("programme_id", flat=True)) == [
        three[0].pk,
        three[1].pk,
    ]


def test_only_ascii_digits_name_a_programme(client, three):
    response = client.post(CHANGE, {"programm": "١", "aktion": "merken"})
    assert response.status_code == 404
