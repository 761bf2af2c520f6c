import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from counties.models import County, CountyCategory, State
from portal.filters import (
    CheckboxFilter,
    LenientModelMultipleChoiceFilter,
    LenientMultipleChoiceFilter,
)

from . import search
from .enums import FundingLevel, ProgrammeStatus
from .keywords import published_keywords
from .models import FieldOfAction, Programme, TargetGroup

QUERY_MAX_LENGTH = 200
SORT_ORDERS = {
    "neu": (_("newest first"), ("-published_at", "title")),
    "titel": (_("title A–Z"), (Lower("title"),)),
    "kreis": (_("county A–Z"), ("county__sort_name", Lower("title"))),
}


class CountyChoiceField(filter_fields.ModelChoiceField):
    def label_from_instance(self, obj):
        # Landkreis and Stadt often share a name (Ansbach, Heilbronn): the kind tells them apart.
        return f"{obj.name} ({obj.official_kind})"


class CountyChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CountyChoiceField


class ProgrammeFilter(django_filters.FilterSet):
    """The public programme list. AND across filters, OR within a multi-select."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    handlungsfeld = LenientModelMultipleChoiceFilter(
        label=_("Field of action"),
        field_name="fields_of_action__slug",
        to_field_name="slug",
        queryset=FieldOfAction.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    zielgruppe = LenientModelMultipleChoiceFilter(
        label=_("Target group"),
        field_name="target_groups__slug",
        to_field_name="slug",
        queryset=TargetGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    land = LenientModelMultipleChoiceFilter(
        label=_("State"),
        field_name="county__state__slug",
        to_field_name="slug",
        queryset=State.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    kreis = CountyChoiceFilter(
        label=_("County"),
        field_name="county",
        to_field_name="slug",
        queryset=County.objects.all(),
        empty_label=_("All counties"),
    )
    kategorie = django_filters.ChoiceFilter(
        label=_("Kind of county"),
        field_name="county__category",
        choices=CountyCategory.choices,
        empty_label=_("All kinds"),
    )
    status = LenientMultipleChoiceFilter(
        label=_("Status"),
        choices=ProgrammeStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    foerderung = LenientMultipleChoiceFilter(
        label=_("Funding"),
        field_name="fundings__level",
        choices=FundingLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    praxisbeispiel = CheckboxFilter(
        label=_("Best practices only"),
        method="filter_best_practice",
    )
    schlagwort = django_filters.ModelChoiceFilter(
        label=_("Keyword"),
        field_name="keywords",
        to_field_name="slug",
        queryset=published_keywords,
        empty_label=_("All keywords"),
        distinct=True,
    )
    sortierung = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in SORT_ORDERS.items()],
        method="sort",
        empty_label=None,
    )

    class Meta:
        model = Programme
        fields = []

    def filter_text(self, queryset, name, value):
        if search.is_available():
            return search.search(queryset, value)
        # The embedded database: every word somewhere in title, texts, county or keywords;
        # portal.sqlite makes the comparison case-insensitive for umlauts too.
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
                | Q(county__name__icontains=word)
                | Q(keywords__name__icontains=word)
            ).distinct()
        return queryset

    def sort(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDERS[value][1])

    def filter_best_practice(self, queryset, name, value):
        return queryset.filter(best_practice__is_recognised=True) if value else queryset
