from django.urls import path

from . import views

app_name = "counties"

urlpatterns = [
    path("kreise/", views.CountyListView.as_view(), name="county-list"),
    path("kreise/<slug:slug>/", views.county_detail, name="county-detail"),
]
