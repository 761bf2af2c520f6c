import copy

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from portal.listing import FilteredListView
from programmes import terms
from programmes.models import FieldOfAction, Programme
from programmes.neighbours import similar_taking_part

from .counts import by_count, give_counts
from .filters import CountyFilter
from .models import County

SIMILAR_SHOWN = 6


class CountyListView(FilteredListView):
    filterset_class = CountyFilter
    paginate_by = settings.COUNTIES_PER_PAGE
    template_name = "counties/county_list.html"

    def get_queryset(self):
        self.queryset = County.objects.select_related("state").order_by("sort_name")
        counties = super().get_queryset()
        if getattr(self.filterset.form, "cleaned_data", {}).get(self.sort_param) == "programme":
            return by_count(counties, self.request)
        return counties

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = context["object_list"] = give_counts(page.object_list, self.request)
        return context


def county_detail(request, slug):
    county = get_object_or_404(County.objects.select_related("state"), slug=slug)
    programmes = list(
        Programme.objects.published().for_county(county).for_cards().order_by("title")
    )
    for programme in programmes:
        programme.county = county  # read above, with its Land
    terms.attach((), programmes, request=request)  # their fields of action
    return render(
        request,
        "counties/county_detail.html",
        {
            "county": county,
            "similar": similar_publishing(county, request),
            "programme_count": len(programmes),
            "groups": grouped_by_first_field(programmes, request),
        },
    )


def similar_publishing(county, request=None):
    """The counties most like this one among those that publish here (counties that publish
    nothing teach nothing), with their published programmes counted: the first of the ones
    that comparable programmes come from, which are kept per content version."""
    known = terms.counties(request)
    similar = similar_taking_part(county, request)[:SIMILAR_SHOWN]
    # Copies: the kept counties are shared by the requests of the process.
    return give_counts([copy.copy(known[pk]) for pk in similar if pk in known], request)


def grouped_by_first_field(programmes, request=None):
    """Each programme once, under the first of its fields of action (in the taxonomy's
    order); those without one at the end, under None."""
    fields = list(terms.controlled_terms([FieldOfAction], request)[FieldOfAction].values())
    groups = {}
    for programme in programmes:
        own = {field.pk for field in programme.fields_of_action.all()}
        first = next((field for field in fields if field.pk in own), None)
        groups.setdefault(first, []).append(programme)
    ordered = [(field, groups[field]) for field in fields if field in groups]
    if None in groups:
        ordered.append((None, groups[None]))
    return ordered
