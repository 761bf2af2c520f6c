from django.conf import settings
from django.shortcuts import get_object_or_404, render

from portal.listing import FilteredListView
from programmes import terms
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
    for programme in programmes:
        programme.county = county  # read above, with its Land
    terms.attach((), programmes, request=request)  # their fields of action
    # Counties that publish nothing here teach nothing: only those that do are compared.
    candidates = (
        County.objects.select_related("state")
        .with_programme_counts()
        .filter(published_programme_count__gt=0)
    )
    return render(
        request,
        "counties/county_detail.html",
        {
            "county": county,
            "similar": similar_counties(county, limit=SIMILAR_SHOWN, candidates=candidates),
            "programme_count": len(programmes),
            "groups": grouped_by_first_field(programmes),
        },
    )


def grouped_by_first_field(programmes):
    """Each programme once, under the first of its fields of action (in the taxonomy's
    order); those without one at the end, under None."""
    fields = list(FieldOfAction.objects.all())
    groups = {}
    for programme in programmes:
        own = {field.pk for field in programme.fields_of_action.all()}
        first = next((field for field in fields if field.pk in own), None)
        groups.setdefault(first, []).append(programme)
    ordered = [(field, groups[field]) for field in fields if field in groups]
    if None in groups:
        ordered.append((None, groups[None]))
    return ordered
