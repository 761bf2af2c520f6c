"""What every filtered public list shares: forgiving pagination, filter chips, notices."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Model
from django.utils.translation import gettext as _
from django.views.generic import ListView

PAGE_PARAM = "seite"
NOT_A_FILTER = {PAGE_PARAM}


class CheckboxFilter(django_filters.Filter):
    """A single checkbox: the browser sends "on", which forms.BooleanField understands."""

    field_class = forms.BooleanField


@dataclass
class Chip:
    """An active filter value, with the address of the same list without it."""

    label: str
    value: str
    remove_query: str


def _display(field, value):
    if isinstance(value, Model):
        return str(value)
    choices = dict(getattr(field, "choices", ()) or ())
    if value in choices:
        return str(choices[value])
    if value is True:
        return str(field.label)
    return f"„{value}“"


def _raw_values(value):
    if isinstance(value, list | tuple) or hasattr(value, "model"):
        return list(value)
    return [value]


def active_filter_chips(filterset, query, skip=()):
    """One chip per active value; removing it keeps every other filter and the sort."""
    chips = []
    cleaned = getattr(filterset.form, "cleaned_data", {})
    for name, value in cleaned.items():
        if name in skip or value in (None, "", [], False) or name not in query:
            continue
        field = filterset.form.fields[name]
        for item in _raw_values(value):
            raw = getattr(item, field.to_field_name, None) if isinstance(item, Model) else item
            remaining = query.copy()
            remaining.setlist(name, [v for v in query.getlist(name) if v != str(raw)])
            remaining.pop(PAGE_PARAM, None)
            if str(raw) not in query.getlist(name):  # boolean "on" and similar
                remaining.pop(name, None)
            chips.append(Chip(str(field.label), _display(field, item), remaining.urlencode()))
    return chips


def ignored_input_notices(filterset):
    return [
        _("The value given for “%(label)s” was ignored: %(reason)s")
        % {"label": filterset.form.fields[name].label, "reason": " ".join(errors)}
        for name, errors in filterset.form.errors.items()
        if name in filterset.form.fields
    ]


class FilteredListView(ListView):
    """A public list filtered by a FilterSet; bad input is ignored and named, never a 500."""

    filterset_class = None
    page_kwarg = PAGE_PARAM
    sort_param = "sortierung"

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        self.filterset.is_valid()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        requested = self.request.GET.get(self.page_kwarg)
        page = paginator.get_page(requested)
        self.page_notice = None
        if requested is not None and requested != str(page.number):
            self.page_notice = _(
                "There is no page “%(requested)s”; showing page %(number)s of %(total)s."
            ) % {"requested": requested[:20], "number": page.number, "total": paginator.num_pages}
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        notices = ignored_input_notices(self.filterset)
        if self.page_notice:
            notices.append(self.page_notice)
        without_page = query.copy()
        without_page.pop(PAGE_PARAM, None)
        context.update(
            filter=self.filterset,
            chips=active_filter_chips(self.filterset, query, skip={self.sort_param}),
            notices=notices,
            result_count=context["paginator"].count,
            query_without_page=without_page.urlencode(),
        )
        return context
