from django.conf import settings
from django.shortcuts import get_object_or_404, render

from portal.listing import FilteredListView
from programmes.models import FieldOfAction, Programme

from .filters import CountyFilter
from .models import County
from .similarity import similar_counties

SIMILAR_SHOWN = 6


class CountyListView(FilteredListView):
    filterset_class = CountyFilter
    paginate_by = settings.COUNTIES_PER_PAGE
    template_name = "counties/county_list.html"

    def get_queryset(self):
        self.queryset = (
            County.objects.select_related("state").with_programme_counts().order_by("sort_name")
        )
        return super().get_queryset()


def county_detail(request, slug):
    county = get_object_or_404(County.objects.select_related("state"), slug=slug)
    programmes = list(
        Programme.objects.published().for_county(county).for_cards().order_by("title")
    )
    groups = [
        (field, [p for p in programmes if field in p.fields_of_action.all()])
        for field in FieldOfAction.objects.all()
    ]
    candidates = County.objects.select_related("state").with_programme_counts()
    return render(
        request,
        "counties/county_detail.html",
        {
            "county": county,
            "similar": similar_counties(county, limit=SIMILAR_SHOWN, candidates=candidates),
            "programme_count": len(programmes),
            "groups": [(field, items) for field, items in groups if items],
        },
    )
