import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from counties.models import County
from portal.models import SitePage
from programmes.enums import PublicationState
from programmes.models import FieldOfAction
from tests.factories import BestPracticeFactory, CountyFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


class TestHome:
    def test_featured_best_practices_lead_in_rank_order(self, client):
        second = BestPracticeFactory(programme__title="Zweiter", is_featured=True, featured_rank=2)
        first = BestPracticeFactory(programme__title="Erster", is_featured=True, featured_rank=1)
        BestPracticeFactory(programme__title="Nicht hervorgehoben")

        response = client.get("/")

        assert list(response.context["featured"]) == [first.programme, second.programme]
        page = html(response)
        assert page.index("Erster") < page.index("Zweiter")

    def test_the_editors_reason_is_on_the_home_card_and_the_badge_leads_to_it(self, client):
        profile = BestPracticeFactory(
            is_featured=True, editors_statement="Leicht übertragbar, gut belegt."
        )
        page = html(client.get("/"))
        assert "Warum die Redaktion es ausgewählt hat:</strong> Leicht übertragbar" in page
        detail = html(client.get(profile.programme.get_absolute_url()))
        assert 'href="#auswahl-der-redaktion"' in detail
        assert 'id="auswahl-der-redaktion"' in detail

    def test_featuring_ends_by_itself_and_drafts_are_never_featured(self, client):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        BestPracticeFactory(is_featured=True, featured_until=yesterday)
        BestPracticeFactory(is_featured=True, programme__draft=True)

        assert list(client.get("/").context["featured"]) == []

    def test_the_programmes_side_features_what_the_profiles_side_does(self, db):
        """The home page reads the featured practices from the programmes
        (ProgrammeQuerySet.featured); editors and feeds from the profiles: the same ones in
        the same order, ties by publication date and title included."""
        from programmes.models import BestPracticeProfile, Programme

        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        tomorrow = yesterday + datetime.timedelta(days=2)
        for title, rank in [("Beta", 1), ("Alpha", 1), ("Gamma", 0), ("Delta", 3)]:
            BestPracticeFactory(programme__title=title, is_featured=True, featured_rank=rank)
        BestPracticeFactory(is_featured=True, featured_until=tomorrow, featured_rank=2)
        BestPracticeFactory(is_featured=True, featured_until=yesterday)
        BestPracticeFactory(is_featured=True, is_recognised=False)
        BestPracticeFactory(is_featured=True, programme__draft=True)
        BestPracticeFactory(is_featured=False)

        from_profiles = [profile.programme for profile in BestPracticeProfile.objects.featured()]
        assert list(Programme.objects.featured()) == from_profiles
        assert len(from_profiles) == 5 and from_profiles[0].title == "Gamma"

    def test_figures_and_field_counts_count_published_only(self, client):
        county = CountyFactory()
        ProgrammeFactory(county=county, fields=["housing", "language"])
        ProgrammeFactory(county=county, fields=["housing"])
        ProgrammeFactory(county=CountyFactory(), fields=["housing"], draft=True)
        BestPracticeFactory(programme__county=county)

        response = client.get("/")

        assert response.context["figures"] == {"counties": 1, "programmes": 3, "best_practices": 1}
        counts = {field.slug: field.published_count for field in response.context["fields"]}
        assert counts["housing"] == 3
        assert counts["language"] == 1
        assert [f.slug for f in response.context["fields"]] == [
            "housing",
            "language",
            "work",
            "school",
            "volunteering",
            "community",
        ]

    def test_home_is_german_with_search_box_and_empty_states(self, client):
        page = html(client.get("/"))
        assert '<html lang="de">' in page
        assert 'name="q"' in page
        assert "Die Redaktion hat noch keine Praxisbeispiele ausgewählt." in page
        assert "Zum Inhalt springen" in page


class TestProgrammeDetail:
    def test_detail_shows_sections_profile_county_and_contact(self, client):
        programme = ProgrammeFactory(
            title="Wohnraumlotsen",
            contact_name="Kim Muster",
            contact_email="kim@example.org",
            goals="- Wohnungen finden",
            fields=["housing"],
        )
        programme.keywords.add("Wohnraum")
        BestPracticeFactory(programme=programme, obstacles="Zu wenig **Vermieter**.")

        page = html(client.get(programme.get_absolute_url()))

        for text in [
            "Wohnraumlotsen",
            "Auf einen Blick",
            "Ausgangslage",
            "Stolpersteine",
            "Übertragbarkeit",
            "Kim Muster",
            "Frage stellen",
            "Hospitation anfragen",
            programme.county.name,
            "Wohnraum",
            "<strong>Vermieter</strong>",
        ]:
            assert text in page
        # Requests go through the portal: the contact person's address is never shown.
        assert "kim@example.org" not in page

    def test_draft_detail_is_404(self, client):
        programme = ProgrammeFactory(draft=True)
        assert client.get(programme.get_absolute_url()).status_code == 404

    def test_unknown_slug_is_404_in_german(self, client):
        response = client.get("/programme/gibt-es-nicht/")
        assert response.status_code == 404
        assert "Seite nicht gefunden" in response.content.decode()

    def test_related_programmes_exclude_drafts_and_itself(self, client):
        county = CountyFactory()
        programme = ProgrammeFactory(county=county, fields=["language"])
        same_field = ProgrammeFactory(fields=["language"])
        same_county = ProgrammeFactory(county=county, fields=["work"])
        ProgrammeFactory(county=county, fields=["language"], draft=True)
        ProgrammeFactory(fields=["work"])

        related = list(client.get(programme.get_absolute_url()).context["related"])

        assert related == [same_field, same_county]

    def test_related_programmes_rank_shared_keywords_above_shared_fields(self, client):
        programme = ProgrammeFactory(fields=["language", "work"])
        programme.keywords.add("Patenschaft")
        two_fields = ProgrammeFactory(fields=["language", "work"])
        field_and_keyword = ProgrammeFactory(fields=["language"])
        field_and_keyword.keywords.add("Patenschaft")
        ProgrammeFactory(fields=["housing"])

        related = list(client.get(programme.get_absolute_url()).context["related"])

        assert related == [field_and_keyword, two_fields]

    def test_related_programmes_come_from_the_county_and_the_most_recent(self, client, monkeypatch):
        from programmes import related

        monkeypatch.setattr(related, "RECENT", 2)  # a portal of thousands, in small
        county = CountyFactory()
        now = timezone.now()
        programme = ProgrammeFactory(county=county, fields=["language"])
        older = ProgrammeFactory(
            fields=["language"], published_at=now - datetime.timedelta(days=30)
        )
        older.keywords.add("Patenschaft")
        programme.keywords.add("Patenschaft")
        newer = ProgrammeFactory(fields=["language"], published_at=now - datetime.timedelta(days=1))
        same_county_old = ProgrammeFactory(
            county=county, published_at=now - datetime.timedelta(days=60)
        )

        related_ = list(client.get(programme.get_absolute_url()).context["related"])

        # The window holds `programme` itself and `newer`; the county's programmes always count.
        assert related_ == [newer, same_county_old]

    def test_staff_text_cannot_inject_script(self, client):
        programme = ProgrammeFactory(
            description="\n".join(
                [
                    '<script>alert("x")</script>',
                    '<img src=x onerror="alert(1)">',
                    "[a](javascript:alert(1))",
                ]
            ),
            summary="<b>fett</b>",
        )
        page = html(client.get(programme.get_absolute_url()))
        assert "<script>alert" not in page
        assert "onerror" not in page
        assert "javascript:" not in page
        assert "&lt;b&gt;fett&lt;/b&gt;" in page

    def test_detail_query_count_is_bounded(self, client, settings, django_assert_max_num_queries):
        programme = ProgrammeFactory(fields=["housing", "work", "school"])
        BestPracticeFactory(programme=programme)
        for _ in range(6):
            ProgrammeFactory(county=programme.county, fields=["housing"])
        # The first visit works out and keeps the related programmes (programmes.neighbours).
        with django_assert_max_num_queries(21):
            client.get(programme.get_absolute_url())
        settings.PUBLIC_PAGE_CACHE = False
        with django_assert_max_num_queries(14):
            client.get(programme.get_absolute_url())


class TestCountyPages:
    def test_directory_lists_all_400_with_pagination(self, client, counties):
        response = client.get(reverse("counties:county-list"))
        assert response.context["result_count"] == 400
        assert len(response.context["object_list"]) == 50
        assert "400 Kreise gefunden" in html(response)

    @pytest.mark.parametrize(
        ("params", "count"),
        [
            ({"land": "bayern"}, 96),
            ({"land": ["bremen", "saarland"]}, 8),
            ({"kategorie": "kreisfreie_stadt"}, 106),
            ({"kategorie": "landkreis", "land": "hessen"}, 21),
            ({"q": "neuss"}, 1),
            ({"q": "LÖRRACH"}, 1),
        ],
    )
    def test_directory_filters(self, client, counties, params, count):
        assert client.get(reverse("counties:county-list"), params).context["result_count"] == count

    def test_directory_filters_by_published_programmes_and_sorts(self, client, counties):
        neuss = County.objects.get(ags="05162")
        cham = County.objects.get(ags="09372")
        ProgrammeFactory.create_batch(2, county=cham)
        ProgrammeFactory(county=neuss)
        ProgrammeFactory(county=County.objects.get(ags="01001"), draft=True)

        by_count = {"mit_programmen": "on", "sortierung": "programme"}
        response = client.get(reverse("counties:county-list"), by_count)
        assert list(response.context["object_list"]) == [cham, neuss]
        assert [c.published_programme_count for c in response.context["object_list"]] == [2, 1]
        # Counts are kept per content version: one more published programme counts at once.
        ProgrammeFactory.create_batch(2, county=neuss)
        response = client.get(reverse("counties:county-list"), by_count)
        assert list(response.context["object_list"]) == [neuss, cham]
        assert [c.published_programme_count for c in response.context["object_list"]] == [3, 2]

        by_population = client.get(reverse("counties:county-list"), {"sortierung": "einwohner"})
        assert by_population.context["object_list"][0].name == "Berlin, Stadt"

    def test_county_profile_shows_facts_and_programmes_by_field(self, client, counties):
        neuss = County.objects.get(ags="05162")
        neuss.profile_text = "Das Kommunale Integrationszentrum berät."
        neuss.office_name = "Kommunales Integrationszentrum"
        neuss.save()
        ProgrammeFactory(county=neuss, title="Sprachkurs-Lotsen", fields=["language", "work"])
        ProgrammeFactory(county=neuss, title="Verborgener Entwurf", fields=["language"], draft=True)

        response = client.get(neuss.get_absolute_url())

        page = html(response)
        # Each programme once, under the first of its fields of action.
        groups = response.context["groups"]
        assert [(g.field.slug, [p.title for p in g.programmes]) for g in groups] == [
            ("language", ["Sprachkurs-Lotsen"]),
        ]
        for text in [
            "Rhein-Kreis Neuss",
            "05162",
            "451.007",
            "Nordrhein-Westfalen",
            "Das Kommunale Integrationszentrum berät.",
            "Destatis",
        ]:
            assert text in page
        assert "Verborgener Entwurf" not in page

    def test_county_page_shows_a_few_per_field_and_links_to_the_rest(self, client, counties):
        from counties.views import GROUP_SHOWN

        neuss = County.objects.get(ags="05162")
        for number in range(GROUP_SHOWN + 3):
            ProgrammeFactory(county=neuss, title=f"Wohnen {number:02}", fields=["housing"])
        ProgrammeFactory(county=neuss, title="Sprache allein", fields=["language"])

        response = client.get(neuss.get_absolute_url())

        housing, language = response.context["groups"]
        assert [p.title for p in housing.programmes] == [
            f"Wohnen {n:02}" for n in range(GROUP_SHOWN)
        ]
        assert (housing.total, housing.more, language.more) == (GROUP_SHOWN + 3, True, False)
        page = html(response)
        assert f"{GROUP_SHOWN} von {GROUP_SHOWN + 3} angezeigt." in page
        link = "/programme/?kreis=rhein-kreis-neuss&amp;handlungsfeld=wohnen"
        assert f'href="{link}">Alle Programme des Kreises in diesem Handlungsfeld</a>' in page
        assert page.count("Alle Programme des Kreises in diesem Handlungsfeld") == 1
        assert f"{GROUP_SHOWN + 4} veröffentlichte Programme" in page
        listed = client.get(link.replace("&amp;", "&"))
        assert {p.title for p in listed.context["object_list"]} >= {
            p.title for p in housing.programmes
        }
        assert listed.context["result_count"] == GROUP_SHOWN + 3

    def test_county_without_programmes_has_an_empty_state(self, client, counties):
        page = html(client.get(County.objects.get(ags="16063").get_absolute_url()))
        assert "noch keine Programme veröffentlicht" in page
        assert "noch kein Profil verfasst" in page

    def test_county_page_query_count_does_not_grow(
        self, client, counties, settings, django_assert_max_num_queries
    ):
        settings.PUBLIC_PAGE_CACHE = False
        neuss = County.objects.get(ags="05162")
        for _ in range(15):
            BestPracticeFactory(
                programme=ProgrammeFactory(county=neuss, fields=["housing", "work"])
            )
        # The first request after a change also reads what is kept per content version (the
        # fields of action, the counties and their counts).
        with django_assert_max_num_queries(9):
            client.get(neuss.get_absolute_url())
        with django_assert_max_num_queries(6):
            client.get(neuss.get_absolute_url())

    def test_county_list_query_count_is_bounded(
        self, client, counties, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(8):
            client.get(reverse("counties:county-list"), {"land": "bayern", "mit_programmen": "on"})

    def test_unknown_county_is_404(self, client):
        assert client.get("/kreise/atlantis/").status_code == 404

    @pytest.mark.parametrize(
        "params",
        [
            {"seite": "0"},
            {"land": "mars"},
            {"q": "\x00"},
            {"sortierung": "x"},
            {"kategorie": "dorf"},
        ],
    )
    def test_directory_bad_input_is_a_normal_page(self, client, counties, params):
        assert client.get(reverse("counties:county-list"), params).status_code == 200


class TestFieldAndLegalPages:
    def test_field_page_shows_description_and_published_programmes(self, client):
        ProgrammeFactory(title="Sichtbar", fields=["volunteering"])
        ProgrammeFactory(title="Entwurf", fields=["volunteering"], draft=True)
        field = FieldOfAction.objects.get(slug="volunteering")

        page = html(client.get(field.get_absolute_url()))

        assert field.description in page
        assert "Sichtbar" in page
        assert "Entwurf" not in page
        assert "?handlungsfeld=ehrenamt" in page
        assert field.get_absolute_url() == "/handlungsfelder/ehrenamt/"

    def test_field_counts_follow_publishing_at_once(self, client):
        programme = ProgrammeFactory(fields=["volunteering"])
        field = FieldOfAction.objects.get(slug="volunteering")

        def counts():
            listed = {
                f.slug: f.published_count for f in client.get("/handlungsfelder/").context["fields"]
            }
            return listed["volunteering"], client.get(field.get_absolute_url()).context[
                "field"
            ].published_count

        assert counts() == (1, 1)
        ProgrammeFactory(fields=["volunteering", "work"])
        assert counts() == (2, 2)
        programme.publication_state = PublicationState.ARCHIVED
        programme.save()
        assert counts() == (1, 1)

    def test_the_english_addresses_of_fields_moved_for_good(self, client):
        response = client.get("/handlungsfelder/housing/")
        assert response.status_code == 301 and response["Location"] == "/handlungsfelder/wohnen/"
        feed = client.get("/feeds/handlungsfelder/housing/")
        assert feed.status_code == 301
        assert feed["Location"] == "/feeds/handlungsfelder/wohnen/"

    def test_unknown_field_is_404(self, client):
        assert client.get("/handlungsfelder/raumfahrt/").status_code == 404

    @pytest.mark.parametrize(
        ("url", "texts"),
        [
            ("/impressum/", ["Impressum", "Deutscher Landkreistag", "10785 Berlin"]),
            ("/datenschutz/", ["Datenschutzerklärung", "Cookies"]),
            (
                "/barrierefreiheit/",
                ["Erklärung zur Barrierefreiheit", "BITV 2.0", "Feedback und Kontakt", "mailto:"],
            ),
            ("/datenquellen/", ["Statistisches Bundesamt (Destatis)", "CC BY 4.0", "Eisenach"]),
        ],
    )
    def test_legal_pages_are_complete(self, client, url, texts):
        page = html(client.get(url))
        for text in texts:
            assert text in page

    def test_editors_text_and_operator_settings_appear(self, client, settings):
        SitePage.objects.filter(kind="impressum").update(body="Neuer Text der Redaktion.")
        settings.PORTAL_OPERATOR = {**settings.PORTAL_OPERATOR, "name": "Betreiber e. V."}
        page = html(client.get("/impressum/"))
        assert "Neuer Text der Redaktion." in page
        assert "Betreiber e. V." in page

    def test_every_page_links_the_legal_pages(self, client):
        page = html(client.get("/"))
        for url in ["/impressum/", "/datenschutz/", "/barrierefreiheit/", "/datenquellen/"]:
            assert f'href="{url}"' in page


class TestDemoNotice:
    def test_notice_shows_only_while_demo_content_is_loaded(self, client):
        assert "Beispieldaten" not in html(client.get("/"))
        ProgrammeFactory(is_demo=True)
        assert "Beispieldaten" in html(client.get("/programme/"))


def test_county_directory_sorts_the_german_way(client, counties):
    names = [c.name for c in client.get("/kreise/", {"q": "b"}).context["object_list"]]
    assert names.index("Böblingen") < names.index("Burgenlandkreis")


def test_field_index_lists_the_six_fields(client):
    page = html(client.get("/handlungsfelder/"))
    for name in [
        "Wohnen",
        "Sprache",
        "Arbeit und Ausbildung",
        "Schule und Bildung",
        "Ehrenamt",
        "Gesellschaftliches Zusammenleben",
    ]:
        assert name in page


@pytest.mark.parametrize(
    ("start", "end", "status", "text"),
    [
        ("2017-01-01", "2021-12-31", "ended", "Januar 2017 bis Dezember 2021"),
        ("2019-03-01", None, "running", "seit März 2019"),
        ("2027-05-01", None, "planned", "geplant ab Mai 2027"),
    ],
)
def test_period_reads_naturally(client, start, end, status, text):
    programme = ProgrammeFactory(start_date=start, end_date=end, status=status)
    assert text in html(client.get(programme.get_absolute_url()))


def test_a_forged_form_post_gets_a_german_403(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/programme/", {"q": "x"})
    assert response.status_code == 403
    assert "Das Formular konnte nicht gesendet werden" in response.content.decode()


def test_cards_show_their_image_with_its_alt_text_and_field_badges(client, db):
    from tests.test_staff_work import _png_upload

    programme = ProgrammeFactory(image_alt="Eltern und Kinder am Tisch", fields=["language"])
    programme.image = _png_upload()
    programme.save()
    page = client.get(reverse("programmes:programme-list")).content.decode()
    image_url = reverse("programmes:image", args=[programme.slug])
    assert f'src="{image_url}" alt="Eltern und Kinder am Tisch"' in page
    assert client.get(image_url).status_code == 200
    assert 'class="kern-badge badge-field"' in page


def test_a_programme_page_shows_its_terms_in_their_order(
    client, db, settings, django_assert_num_queries
):
    """The terms of a page and its cards come from one statement (programmes.terms): each
    relation in the order the relation itself gives."""
    from programmes.models import PartnerKind, StaffRole, TargetGroup

    programme = ProgrammeFactory(fields=["work", "housing"], title="Wohnen und Arbeit")
    programme.target_groups.set(TargetGroup.objects.filter(slug__in=["ukraine", "asylum-seekers"]))
    programme.partner_kinds.set(PartnerKind.objects.filter(slug__in=["welfare", "municipalities"]))
    programme.keywords.add("Zimmer")
    programme.keywords.add("Arbeitsmarkt")  # added later: shown after "Zimmer"
    profile = BestPracticeFactory(programme=programme)
    profile.staff_roles.set(StaffRole.objects.filter(slug__in=["teaching", "coordination"]))
    profile.required_partners.set(PartnerKind.objects.filter(slug="associations"))
    profile.indicators.create(name="Vermittelte Wohnungen", value=Decimal("42"), year=2024)
    profile.indicators.create(name="Teilnehmende", value=Decimal("118"), unit="Personen")
    card = ProgrammeFactory(county=programme.county, fields=["school", "work"], title="Nachbar")

    settings.PUBLIC_PAGE_CACHE = False  # the page itself, not its cached copy
    client.get(programme.get_absolute_url())  # the values kept per content version
    # The versions, the programme, the indicators of its profile (it has one), the cards, and
    # the statement of terms and rows.
    with django_assert_num_queries(5):
        page = client.get(programme.get_absolute_url()).content.decode()

    def in_order(*texts):
        places = [page.index(text) for text in texts]
        return places == sorted(places)

    assert in_order(">Wohnen</a>, <a", ">Arbeit und Ausbildung</a>")
    assert "Asylsuchende, Schutzsuchende aus der Ukraine" in page
    assert "Gemeinden, Wohlfahrtsverbände" in page
    assert in_order("schlagwort=zimmer", "schlagwort=arbeitsmarkt")
    assert "(Koordination, Unterricht und Lehrkräfte)" in page
    assert "Vereine" in page
    cards = page[page.index('id="related-heading"') :]
    assert card.title in cards
    assert "Schule und Bildung" in cards and "Arbeit und Ausbildung" in cards
    table = page[
        page.index("Vermittelte Wohnungen") : page.index("</table>", page.index("Teilnehmende"))
    ]
    assert table.index("42") < table.index("2024") < table.index("Teilnehmende")
    assert "118 Personen" in table
