from django.urls import path

from . import feeds, views

app_name = "programmes"

urlpatterns = [
    path("programme/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programme/daten.csv", views.programme_data, {"fmt": "csv"}, name="data-csv"),
    path("programme/daten.json", views.programme_data, {"fmt": "json"}, name="data-json"),
    path("offene-daten/", views.open_data, name="open-data"),
    path("vergleichbare-kreise/", views.comparable, name="comparable"),
    path("programme/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programme/<slug:slug>/bild/", views.image, name="image"),
    path("programme/<slug:slug>/dokumente/<int:pk>/", views.attachment, name="attachment"),
    path("handlungsfelder/", views.field_list, name="field-list"),
    path("feeds/programme/", feeds.ProgrammeFeed(), name="feed-all"),
    path("feeds/praxisbeispiele/", feeds.BestPracticeFeed(), name="feed-best-practices"),
    path("feeds/handlungsfelder/<slug:slug>/", feeds.FieldFeed(), name="feed-field"),
    path("feeds/laender/<slug:slug>/", feeds.StateFeed(), name="feed-state"),
    path("feeds/kreise/<slug:slug>/", feeds.CountyFeed(), name="feed-county"),
    path("handlungsfelder/<slug:slug>/", views.field_detail, name="field-detail"),
]
