"""What every filtered public list shares: forgiving pagination, filter chips, notices."""

import unicodedata
from dataclasses import dataclass

from django import forms
from django.db.models import Model
from django.utils.translation import gettext as _
from django.views.generic import ListView

PAGE_PARAM = "seite"


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


def describe_filters(filterset, query, skip=("sortierung",)):
    """The active filters in words, e.g. "Suche: „Sprachkurs“ · Land: Bayern"."""
    chips = active_filter_chips(filterset, query, skip=set(skip))
    return " · ".join(f"{chip.label}: {chip.value}" for chip in chips)


def shown(value, limit=40):
    """A user's raw input, made safe and short enough to quote back in a notice."""
    text = "".join(char for char in str(value) if unicodedata.category(char)[0] != "C")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ignored_input_notices(filterset):
    form = filterset.form
    notices = []
    for name, field in form.fields.items():
        values = list(getattr(field, "ignored_values", []))
        if name in form.errors and isinstance(field, forms.ChoiceField):
            values = form.data.getlist(name) if hasattr(form.data, "getlist") else []
        elif name in form.errors:
            notices.append(
                _("Your input for “%(label)s” was not used: %(reason)s")
                % {"label": field.label, "reason": " ".join(form.errors[name])}
            )
        notices.extend(
            _("“%(value)s” is not a known choice for “%(label)s” and was not used.")
            % {"value": shown(value), "label": field.label}
            for value in values
        )
    return notices


def _page_number(requested):
    """Zero, negative and non-numbers mean the first page; numbers past the end the last."""
    try:
        return max(int(requested), 1)
    except (TypeError, ValueError):
        return 1


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
        page = paginator.get_page(_page_number(requested))
        self.page_notice = None
        if requested is not None and requested != str(page.number):
            self.page_notice = _(
                "There is no page “%(requested)s”; showing page %(number)s of %(total)s."
            ) % {"requested": shown(requested), "number": page.number, "total": paginator.num_pages}
        return paginator, page, page.object_list, page.has_other_pages()

    def _sort_only_query(self):
        """ "Remove all filters" keeps the chosen order."""
        sort = getattr(self.filterset.form, "cleaned_data", {}).get(self.sort_param)
        return f"{self.sort_param}={sort}" if sort else ""

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
            clear_query=self._sort_only_query(),
        )
        return context
