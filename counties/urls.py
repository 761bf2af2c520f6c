from django.urls import path

from portal.cache import public_page

from . import views

app_name = "counties"

urlpatterns = [
    path("kreise/", public_page(views.CountyListView.as_view()), name="county-list"),
    path("kreise/<slug:slug>/", public_page(views.county_detail), name="county-detail"),
]
