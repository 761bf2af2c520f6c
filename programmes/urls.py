from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("programme/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programme/<slug:slug>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programme/<slug:slug>/bild/", views.image, name="image"),
    path("programme/<slug:slug>/dokumente/<int:pk>/", views.attachment, name="attachment"),
    path("handlungsfelder/", views.field_list, name="field-list"),
    path("handlungsfelder/<slug:slug>/", views.field_detail, name="field-detail"),
]
