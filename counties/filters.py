import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.filters import (
    CheckboxFilter,
    LenientModelMultipleChoiceFilter,
)

from .counts import with_published_programmes
from .models import County, CountyCategory, State

SORT_ORDERS = {
    "name": (_("name A–Z"), ("sort_name",)),
    "einwohner": (_("population, largest first"), ("-population", "sort_name")),
    # By name here, then by count in CountyListView (counts.by_count).
    "programme": (_("programmes, most first"), ("sort_name",)),
}


class CountyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"),
        field_name="name",
        lookup_expr="icontains",
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    land = LenientModelMultipleChoiceFilter(
        label=_("State"),
        field_name="state__slug",
        to_field_name="slug",
        queryset=State.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one Land per county: nothing to deduplicate
    )
    kategorie = django_filters.ChoiceFilter(
        label=_("Kind of county"),
        field_name="category",
        choices=CountyCategory.choices,
        empty_label=_("All kinds"),
    )
    mit_programmen = CheckboxFilter(
        label=_("Only counties with published programmes"),
        method="filter_with_programmes",
    )
    sortierung = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in SORT_ORDERS.items()],
        method="sort",
        empty_label=None,
    )

    class Meta:
        model = County
        fields = []

    def filter_with_programmes(self, queryset, name, value):
        return with_published_programmes(queryset, self.request) if value else queryset

    def sort(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERS[value][1])
