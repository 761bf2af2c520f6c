"""Saved searches: double opt-in, digests that never repeat or skip a programme, one-click
unsubscribe (RFC 8058), the page of an address's subscriptions, limits, and staff who follow
the counties like theirs."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes import digests
from programmes.models import DigestEntry, Rhythm, SearchSubscription
from tests.factories import ProgrammeFactory
from tests.mail_backends import FailingFor

pytestmark = pytest.mark.django_db

ADDRESS = "jana@musterhausen.example"
SUBSCRIBE = reverse("programmes:subscribe")


def _form(**changes):
    return {"email": ADDRESS, "rhythm": "woechentlich", "privacy": "on", "website": "", **changes}


def _subscribe(client, search="handlungsfeld=wohnen", **changes):
    """Changed form fields; upper-case names (HTTP_*, REMOTE_ADDR) are request headers."""
    meta = {key: value for key, value in changes.items() if key.isupper()}
    fields = {key: value for key, value in changes.items() if key not in meta}
    return client.post(SUBSCRIBE, _form(suche=search, **fields), **meta)


def _link(message, pattern):
    return re.search(rf"https?://\S+{pattern}", message.body).group(0)


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def _confirmed(query="handlungsfeld=wohnen", days_ago=3, rhythm=Rhythm.WEEKLY, **fields):
    return SearchSubscription.objects.create(
        email=ADDRESS,
        query=query,
        rhythm=rhythm,
        confirmed_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def new_housing(county_a):
    """A programme in "Wohnen" published now, and one published long before."""
    ProgrammeFactory(
        county=county_a, title="Alte Wohnungsbörse", published_at=timezone.now() - timedelta(60)
    )
    return ProgrammeFactory(county=county_a, title="Wohnraumlotsen", fields=["housing"])


def test_subscribe_confirm_and_receive_a_digest(
    client, county_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{SUBSCRIBE}?ignored=1", _form(suche="handlungsfeld=wohnen&seite=4&sortierung=neu")
        )
    assert response.status_code == 200
    assert "Fast geschafft" in response.content.decode()
    subscription = SearchSubscription.objects.get()
    assert subscription.query == "handlungsfeld=wohnen"  # page and order are not the search
    assert subscription.confirmed_at is None
    assert digests.send_digests(every=True) == (0, 0, 0)  # nothing before the confirmation

    confirm_url = _path(_link(mailoutbox[0], r"/suchauftrag/bestaetigen/[0-9a-f-]+/"))
    assert "Suchauftrag bestätigen" in client.get(confirm_url).content.decode()
    assert SearchSubscription.objects.get().confirmed_at is None  # GET only asks
    assert "ist aktiv" in client.post(confirm_url).content.decode()

    ProgrammeFactory(county=county_a, title="Wohnraumlotsen", fields=["housing"])
    ProgrammeFactory(county=county_a, title="Sprachcafé", fields=["language"])
    ProgrammeFactory(county=county_a, title="Geheimer Entwurf", fields=["housing"], draft=True)
    mailoutbox.clear()

    assert digests.send_digests(every=True) == (1, 1, 0)
    digest = mailoutbox[0]
    assert digest.to == [ADDRESS]
    assert "Wohnraumlotsen" in digest.body
    assert "Sprachcafé" not in digest.body and "Geheimer Entwurf" not in digest.body
    unsubscribe = _link(digest, r"/suchauftrag/beenden/[0-9a-f-]+/")
    assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, kind = digest.alternatives[0]
    assert kind == "text/html"
    assert '<html lang="de">' in html
    assert re.search(r"<h2[^>]*><a href=\"[^\"]+\"[^>]*>Wohnraumlotsen</a></h2>", html)
    assert ">Diesen Suchauftrag beenden</a>" in html


def test_twice_or_after_a_crash_never_repeats_and_never_skips(
    county_a, mailoutbox, settings, new_housing
):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingFor"
    first = _confirmed()
    second = SearchSubscription.objects.create(
        email="kai@lindenau.example",
        query="handlungsfeld=wohnen",
        rhythm=Rhythm.WEEKLY,
        confirmed_at=timezone.now() - timedelta(days=3),
    )
    FailingFor.failing = {ADDRESS}
    try:
        assert digests.send_digests(every=True) == (1, 1, 1)  # the first mail server fails
    finally:
        FailingFor.failing = set()
    assert not DigestEntry.objects.filter(subscription=first).exists()  # rolled back
    assert DigestEntry.objects.filter(subscription=second).count() == 1

    assert digests.send_digests(every=True) == (1, 1, 0)  # now the first, and only it
    assert digests.send_digests(every=True) == (0, 0, 0)
    sent = [(m.to[0], "Wohnraumlotsen" in m.body) for m in mailoutbox]
    assert sorted(sent) == [(ADDRESS, True), ("kai@lindenau.example", True)]


def test_a_digest_is_sent_only_when_due_and_only_with_news(county_a, mailoutbox, new_housing):
    weekly = _confirmed(days_ago=3)
    _confirmed(query="handlungsfeld=wohnen&status=running", days_ago=10, rhythm=Rhythm.MONTHLY)
    call_command("send_digests")
    assert mailoutbox == []  # neither is due yet

    SearchSubscription.objects.filter(pk=weekly.pk).update(
        confirmed_at=timezone.now() - timedelta(days=7)
    )
    call_command("send_digests")
    assert len(mailoutbox) == 1
    weekly.refresh_from_db()
    assert weekly.last_sent_at is not None

    SearchSubscription.objects.filter(pk=weekly.pk).update(
        last_checked_at=timezone.now() - timedelta(days=7)
    )
    call_command("send_digests")
    assert len(mailoutbox) == 1  # due, but nothing new: no mail


def test_a_substantial_update_is_reported_a_correction_is_not(county_a, mailoutbox):
    programme = ProgrammeFactory(
        county=county_a,
        fields=["housing"],
        published_at=timezone.now() - timedelta(days=30),
        description="Lotsen begleiten Geflüchtete bei der Suche nach einer eigenen Wohnung "
        "im ganzen Kreisgebiet und sprechen mit Vermietern.",
    )
    _confirmed()

    programme.description = programme.description.replace("Vermietern", "Vermieterinnen")
    programme.save()
    programme.refresh_from_db()
    assert programme.substantially_updated_at is None

    programme.description = "Seit 2025 vermittelt eine Wohnungsbörse des Kreises freie Wohnungen."
    programme.save()
    programme.refresh_from_db()
    assert programme.substantially_updated_at is not None

    digests.send_digests(every=True)
    assert len(mailoutbox) == 1
    assert "Aktualisiert: " in mailoutbox[0].body


def test_unconfirmed_subscriptions_go_after_seven_days(client, mailoutbox):
    _subscribe(client)
    SearchSubscription.objects.update(created_at=timezone.now() - timedelta(days=8))
    token = SearchSubscription.objects.get().token

    response = client.post(reverse("programmes:subscription-confirm", args=[token]))
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()

    _subscribe(client)
    SearchSubscription.objects.update(created_at=timezone.now() - timedelta(days=8))
    call_command("send_digests")
    assert not SearchSubscription.objects.exists()


@pytest.mark.parametrize(
    "token", ["00000000-0000-0000-0000-000000000000", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"]
)
def test_forged_and_reused_tokens_get_a_clear_message(client, token):
    response = client.post(reverse("programmes:subscription-confirm", args=[token]))
    assert response.status_code == 400
    assert "nicht gültig" in response.content.decode()

    subscription = _confirmed()
    url = reverse("programmes:subscription-confirm", args=[subscription.token])
    assert "bereits bestätigt" in client.post(url).content.decode()
    assert client.get("/suchauftrag/bestaetigen/kein-uuid/").status_code == 404


def test_one_click_unsubscribe_as_mail_programs_send_it(client):
    subscription = _confirmed()
    url = reverse("programmes:subscription-end", args=[subscription.token])

    assert "beenden?" in client.get(url).content.decode()  # link checkers end nothing
    assert SearchSubscription.objects.exists()
    # RFC 8058: a POST without a form token, the body "List-Unsubscribe=One-Click".
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "wurde beendet" in response.content.decode()
    assert not SearchSubscription.objects.exists()
    again = client.post(url)
    assert again.status_code == 200
    assert "kein Suchauftrag" in again.content.decode()


def test_an_address_sees_and_ends_all_its_subscriptions(client, mailoutbox, county_a):
    first = _confirmed()
    _confirmed(query=f"land={county_a.state.slug}")
    SearchSubscription.objects.create(email="andere@example.org", rhythm=Rhythm.WEEKLY)

    response = client.post(reverse("programmes:subscriptions-request"), {"email": ADDRESS})
    assert "Bitte schauen Sie in Ihr Postfach" in response.content.decode()
    client.post(reverse("programmes:subscriptions-request"), {"email": "unbekannt@example.org"})
    assert [m.to for m in mailoutbox] == [[ADDRESS]]  # the page says the same either way

    manage = _path(_link(mailoutbox[0], r"/suchauftrag/verwalten/[^/\s]+/"))
    page = client.get(manage).content.decode()
    assert "Handlungsfeld: Wohnen" in page and f"Land: {county_a.state.name}" in page
    assert "andere@example.org" not in page

    client.post(manage, {"suchauftrag": [str(first.token), "kein-uuid"]})
    assert SearchSubscription.objects.filter(email=ADDRESS).count() == 1
    client.post(manage, {"alle": "1"})
    assert not SearchSubscription.objects.filter(email=ADDRESS).exists()
    assert SearchSubscription.objects.filter(email="andere@example.org").exists()


def test_forged_and_expired_manage_links(client):
    forged = reverse("programmes:subscriptions-manage", args=["jana@example.org:abc:def"])
    response = client.get(forged)
    assert response.status_code == 400
    assert "ungültig" in response.content.decode()

    class Old(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(timezone.now().timestamp()) - 40 * 24 * 3600)

    old = Old(salt=digests.MANAGE_SALT).sign(ADDRESS)
    response = client.get(reverse("programmes:subscriptions-manage", args=[old]))
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()


def test_floods_are_limited_per_address_and_ip(client):
    for _number in range(digests.LIMITS["subscription-address"]):
        assert _subscribe(client).status_code == 200
    response = _subscribe(client)
    assert response.status_code == 429
    assert "Grenze für eine Stunde" in response.content.decode()

    for number in range(digests.LIMITS["subscription-ip"] - 4):
        assert _subscribe(client, email=f"person{number}@example.org").status_code == 200
    assert _subscribe(client, email="noch-eine@example.org").status_code == 429


def test_bad_input_gets_a_form_not_an_error(client):
    response = _subscribe(client, rhythm="stündlich", email="keine-adresse")
    assert response.status_code == 400
    assert "Bitte prüfen Sie Ihre Eingaben" in response.content.decode()
    response = _subscribe(client, search="q=" + "Wohnung " * 400)
    assert response.status_code == 200
    assert len(SearchSubscription.objects.get().query) < 300  # a search term is cut at 200
    SearchSubscription.objects.all().delete()
    response = client.get(SUBSCRIBE, {"unbekannt": "x", "q": "\x00Wohnung"})
    assert response.status_code == 200
    assert not SearchSubscription.objects.exists()
    assert _subscribe(client, website="http://spam.example").status_code == 200
    assert not SearchSubscription.objects.exists()  # the trap filled in: nothing stored


def test_staff_follow_counties_like_theirs_in_one_click(counties, client, mailoutbox):
    from counties.models import County
    from tests.conftest import make_user

    home = County.objects.get(slug="cham")
    user = make_user("clara", "Kreisredaktion", county=home)
    client.force_login(user)
    page = client.get(reverse("programmes:comparable"), {"kreis": "cham"}).content.decode()
    assert "Kreisen wie Cham per E-Mail folgen" in page

    client.post(reverse("programmes:follow-similar"), {"county": home.pk})
    subscription = SearchSubscription.objects.get()
    assert (subscription.email, subscription.similar_to, subscription.confirmed_at is not None) == (
        "clara@example.org",
        home,
        True,
    )
    other = County.objects.get(slug="regen")
    assert (
        client.post(reverse("programmes:follow-similar"), {"county": other.pk}).status_code == 404
    )
    assert client.post(reverse("programmes:follow-similar"), {"county": "x"}).status_code == 404

    ProgrammeFactory(county=home, title="Eigenes Programm")
    like_home = County.objects.exclude(pk=home.pk).filter(category=home.category).first()
    ProgrammeFactory(county=like_home, title="Programm eines ähnlichen Kreises")

    assert digests.send_digests(every=True) == (1, 1, 0)
    assert "Programm eines ähnlichen Kreises" in mailoutbox[-1].body
    assert "Eigenes Programm" not in mailoutbox[-1].body
    assert f"Kreise wie {home.name}" in mailoutbox[-1].subject


def test_feeds_and_saved_searches_are_offered_on_the_lists(client, county_a):
    programme = ProgrammeFactory(county=county_a)
    field = programme.fields_of_action.get()
    pages = {
        reverse("programmes:programme-list"): "/feeds/programme/",
        f"{reverse('programmes:programme-list')}?land={county_a.state.slug}": (
            f"/feeds/laender/{county_a.state.slug}/"
        ),
        field.get_absolute_url(): f"/feeds/handlungsfelder/{field.address}/",
        county_a.get_absolute_url(): f"/feeds/kreise/{county_a.slug}/",
    }
    for url, feed in pages.items():
        page = client.get(url).content.decode()
        assert f'href="{feed}"' in page, url
        assert "Feed abonnieren" in page
        assert "abonnieren" in page.split("Feed abonnieren")[0].rsplit("suchauftrag", 1)[1]
    assert (
        "Diese Suche per E-Mail abonnieren"
        in client.get(reverse("programmes:programme-list")).content.decode()
    )


def test_the_privacy_policy_describes_subscriptions(client):
    page = client.get(reverse("portal:datenschutz")).content.decode()

    assert "Suchaufträge" in page
    assert "nach 7 Tagen gelöscht" in page
    assert "Merkliste" in page


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_fails_is_said_on_the_page(client, settings):
    """With real commits, as in production: the mail leaves when the subscription is stored."""
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingFor"
    FailingFor.failing = {ADDRESS}
    try:
        response = _subscribe(client)
        assert response.status_code == 200
        assert "konnte nicht versandt werden" in response.content.decode()
        _confirmed(query="handlungsfeld=sprache")
        response = client.post(reverse("programmes:subscriptions-request"), {"email": ADDRESS})
        assert response.status_code == 200
        assert "konnte nicht versandt werden" in response.content.decode()
    finally:
        FailingFor.failing = set()
    assert SearchSubscription.objects.filter(confirmed_at__isnull=True).count() == 1


def test_behind_a_load_balancer_each_visitor_has_their_own_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    balancer = {"REMOTE_ADDR": "10.0.0.2"}
    for number in range(digests.LIMITS["subscription-ip"]):
        response = _subscribe(
            client,
            email=f"person{number}@example.org",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 203.0.113.7",  # the left part is forged
            **balancer,
        )
        assert response.status_code == 200
    blocked = _subscribe(
        client, email="one-more@example.org", HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer
    )
    assert blocked.status_code == 429
    other = _subscribe(
        client, email="other@example.org", HTTP_X_FORWARDED_FOR="203.0.113.8", **balancer
    )
    assert other.status_code == 200


def test_any_valid_address_can_manage_and_long_ones_get_a_form_error(client, mailoutbox):
    odd = "a/b+c@example.org"
    _confirmed().__class__.objects.create(
        email=odd, query="", rhythm=Rhythm.WEEKLY, confirmed_at=timezone.now()
    )
    client.post(reverse("programmes:subscriptions-request"), {"email": odd})
    link = _path(_link(mailoutbox[-1], r"/suchauftrag/verwalten/[^\s]+/"))
    assert odd in client.get(link).content.decode()

    too_long = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com"
    response = _subscribe(client, email=too_long)
    assert response.status_code == 400


def test_a_confirmation_mail_quotes_no_typed_words(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, search="q=Rufen Sie 0900-123456 an&handlungsfeld=wohnen")
    mail = mailoutbox[-1]
    assert "0900-123456" not in mail.body and "0900-123456" not in mail.subject
    assert "einem Suchbegriff · Handlungsfeld: Wohnen" in mail.body


def test_one_subscription_per_address_and_search_and_a_fresh_link_after_expiry(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client)
        _subscribe(client, email=ADDRESS.upper())
    assert SearchSubscription.objects.count() == 1
    assert len(mailoutbox) == 2  # the confirmation, sent again

    SearchSubscription.objects.update(created_at=timezone.now() - timedelta(days=8))
    old = SearchSubscription.objects.get().token
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client)
    fresh = SearchSubscription.objects.get()
    assert fresh.token != old
    response = client.post(reverse("programmes:subscription-confirm", args=[fresh.token]))
    assert "ist aktiv" in response.content.decode()


def test_thirty_and_more_programmes_arrive_over_two_digests(county_a, mailoutbox):
    subscription = _confirmed()
    ProgrammeFactory.create_batch(digests.DIGEST_MAX + 2, county=county_a, fields=["housing"])

    assert digests.send_digests(every=True) == (1, digests.DIGEST_MAX, 0)
    assert "Weitere folgen" in mailoutbox[-1].body
    assert digests.send_digests(every=True) == (1, 2, 0)
    assert "Weitere folgen" not in mailoutbox[-1].body
    assert DigestEntry.objects.filter(subscription=subscription).count() == digests.DIGEST_MAX + 2


def test_words_asked_for_as_typed_stay_so(client):
    _subscribe(client, search="q=sprachkur&wortgenau=1&seite=2")
    assert SearchSubscription.objects.get().query == "q=sprachkur&wortgenau=1"


def test_a_saved_search_with_words_finds_what_is_new(county_a, mailoutbox):
    _confirmed(query="q=Mietführerschein")
    ProgrammeFactory(county=county_a, title="Mietführerschein für Geflüchtete")
    ProgrammeFactory(county=county_a, title="Sprachcafé")

    assert digests.send_digests(every=True) == (1, 1, 0)
    assert "Mietführerschein für Geflüchtete" in mailoutbox[-1].body
