from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from portal.listing import FilteredListView
from programmes import terms
from programmes.models import FieldOfAction, Programme
from programmes.neighbours import similar_with_counts

from .counts import by_count, give_counts
from .filters import CountyFilter
from .models import County

SIMILAR_SHOWN = 6
# Cards per field of action on a county's page; the programme list, filtered to the county
# and the field, has them all. A county with hundreds of programmes stays one page.
GROUP_SHOWN = 6


@dataclass
class Group:
    field: object  # a FieldOfAction, or None for the programmes without one
    programmes: list  # the first GROUP_SHOWN
    total: int

    @property
    def more(self):
        return self.total > len(self.programmes)


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
    # Which programmes, in order, and their fields of action: one row per programme and
    # field. Cards are read only for those shown.
    links = {}
    rows = (
        Programme.objects.published()
        .for_county(county)
        .order_by("title", "pk")
        .values_list("pk", "fields_of_action")
    )
    for pk, field_id in rows:
        links.setdefault(pk, set()).update([field_id] if field_id is not None else [])
    grouped = grouped_by_first_field(links, request)
    shown = [pk for _field, ids in grouped for pk in ids[:GROUP_SHOWN]]
    cards = Programme.objects.published().filter(pk__in=shown).for_cards().in_bulk()
    for card in cards.values():
        card.county = county  # read above, with its Land
    terms.attach((), cards.values(), request=request)  # their fields of action
    return render(
        request,
        "counties/county_detail.html",
        {
            "county": county,
            "similar": similar_with_counts(county, request, SIMILAR_SHOWN),
            "programme_count": len(links),
            "groups": [
                Group(field, [cards[pk] for pk in ids[:GROUP_SHOWN] if pk in cards], len(ids))
                for field, ids in grouped
            ],
        },
    )


def grouped_by_first_field(links, request=None):
    """[(field, ids)]: each programme once, under the first of its fields of action (in the
    taxonomy's order), those without one at the end, under None. `links` maps the ids, in
    the order to keep, to the ids of their fields."""
    fields = list(terms.controlled_terms([FieldOfAction], request)[FieldOfAction].values())
    groups = {}
    for pk, own in links.items():
        first = next((field for field in fields if field.pk in own), None)
        groups.setdefault(first, []).append(pk)
    ordered = [(field, groups[field]) for field in fields if field in groups]
    if None in groups:
        ordered.append((None, groups[None]))
    return ordered
