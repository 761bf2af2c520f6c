from django.urls import path

from portal.cache import public_page

from . import alerts, dossier, exchange, feeds, merkliste, views

app_name = "programmes"

urlpatterns = [
    path("programme/", public_page(views.ProgrammeListView.as_view()), name="programme-list"),
    path("programme/daten.csv", public_page(views.programme_data), {"fmt": "csv"}, name="data-csv"),
    path(
        "programme/daten.json", public_page(views.programme_data), {"fmt": "json"}, name="data-json"
    ),
    # Dossiers are kept by their own canonical key (programmes.dossier), not by address.
    path("programme/dossier.pdf", dossier.list_dossier, name="list-dossier"),
    path("offene-daten/", public_page(views.open_data), name="open-data"),
    path("vergleichbare-kreise/", public_page(views.comparable), name="comparable"),
    path(
        "programme/<slug:slug>/",
        public_page(views.ProgrammeDetailView.as_view()),
        name="programme-detail",
    ),
    path("programme/<slug:slug>/dossier.pdf", dossier.programme_dossier, name="programme-dossier"),
    path("programme/<slug:slug>/bild/", views.image, name="image"),
    path("programme/<slug:slug>/uebernehmen/", exchange.adopt, name="adopt"),
    path("programme/<slug:slug>/frage/", exchange.ask, {"kind": "frage"}, name="ask-question"),
    path(
        "programme/<slug:slug>/hospitation/",
        exchange.ask,
        {"kind": "hospitation"},
        name="ask-visit",
    ),
    path("anfragen/bestaetigen/<uuid:token>/", exchange.confirm, name="request-confirm"),
    path("programme/<slug:slug>/dokumente/<int:pk>/", views.attachment, name="attachment"),
    path("merkliste/", merkliste.page, name="merkliste"),
    path("merkliste/aendern/", merkliste.change, name="merkliste-change"),
    path("merkliste/dossier.pdf", dossier.merkliste_dossier, name="merkliste-dossier"),
    path("merkliste/geteilt/", public_page(merkliste.shared), name="merkliste-shared"),
    path("merkliste/geteilt/dossier.pdf", dossier.shared_dossier, name="shared-dossier"),
    path("suchauftrag/", alerts.subscribe, name="subscribe"),
    path("suchauftrag/bestaetigen/<uuid:token>/", alerts.confirm, name="subscription-confirm"),
    path("suchauftrag/beenden/<uuid:token>/", alerts.end, name="subscription-end"),
    path("suchauftrag/verwalten/", alerts.manage_request, name="subscriptions-request"),
    path("suchauftrag/verwalten/<str:value>/", alerts.manage, name="subscriptions-manage"),
    path("suchauftrag/kreise-wie-meiner/", alerts.follow_similar, name="follow-similar"),
    path("handlungsfelder/", public_page(views.field_list), name="field-list"),
    path("feeds/programme/", public_page(feeds.ProgrammeFeed()), name="feed-all"),
    path(
        "feeds/praxisbeispiele/", public_page(feeds.BestPracticeFeed()), name="feed-best-practices"
    ),
    path("feeds/handlungsfelder/<slug:slug>/", public_page(feeds.FieldFeed()), name="feed-field"),
    path("feeds/laender/<slug:slug>/", public_page(feeds.StateFeed()), name="feed-state"),
    path("feeds/kreise/<slug:slug>/", public_page(feeds.CountyFeed()), name="feed-county"),
    path("handlungsfelder/<slug:slug>/", public_page(views.field_detail), name="field-detail"),
]
