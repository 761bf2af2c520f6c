from decimal import Decimal
from html import escape

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.cache import cached_value
from portal.text import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Staff-written Markdown as sanitised HTML."""
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (used by pagination)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def facet_count(facets, name, value):
    """How many programmes a filter choice would give; None where the list has no counts."""
    if not facets or name not in facets:
        return None
    return facets[name].get(str(value), 0)


def _choice_list(field, request):
    """The choices of a filter field as (value, escaped value, escaped label), read once per
    content version: a model choice field would otherwise load all 400 counties each time."""
    form = type(field.form)

    def compute():
        choices = [(str(value), str(label)) for value, label in field.field.choices]
        return [(value, escape(value), escape(label)) for value, label in choices]

    if not hasattr(field.field, "queryset"):
        return compute()  # fixed choices, which a form may narrow (the sort orders)
    return cached_value(
        f"choices:{form.__module__}.{form.__qualname__}:{field.name}",
        compute,
        request=request,
        local=True,
    )


def _choices(field, facets, request):
    """(escaped value, escaped label, selected, count) for each choice of a filter field."""
    value = field.value()
    if not isinstance(value, list | tuple):
        # An unchosen select marks its empty choice, as Django's own widget does.
        value = [] if value is None and field.field.widget.allow_multiple_selected else [value]
    chosen = {"" if item is None else str(item) for item in value}
    counts = facets.get(field.name) if facets else None
    for choice, html_value, html_label in _choice_list(field, request):
        count = None if counts is None else counts.get(choice, 0)
        yield html_value, html_label, choice in chosen, count


# The repeated rows of a filter field are written here rather than looped over in a template:
# the county select alone has 400 options, which the template engine needs tens of
# milliseconds for on every list page. Values and labels are escaped as the template would.
def _county_rows(field, facets, request):
    """The county filter: grouped by Land, only counties with programmes under the other
    filters (and the chosen one), "Cham – Landkreis (3)"."""
    from counties.models import County

    counts = facets.get(field.name) if facets else None
    chosen = "" if field.value() is None else str(field.value())
    counties = cached_value(
        "county-options",
        lambda: [
            (c.slug, escape(c.slug), escape(f"{c.name} – {c.official_kind}"), escape(c.state.name))
            for c in County.objects.select_related("state").order_by("state__name", "sort_name")
        ],
        request=request,
        local=True,
    )
    empty = escape(str(field.field.empty_label))
    rows = [f'<option value=""{" selected" if not chosen else ""}>{empty}</option>']
    state = None
    for slug, html_slug, label, state_name in counties:
        count = None if counts is None else counts.get(slug, 0)
        if count == 0 and slug != chosen:
            continue
        if state_name != state:
            rows.append(("</optgroup>" if state else "") + f'<optgroup label="{state_name}">')
            state = state_name
        shown = f" ({count})" if count is not None else ""
        selected = " selected" if slug == chosen else ""
        rows.append(f'<option value="{html_slug}"{selected}>{label}{shown}</option>')
    if state:
        rows.append("</optgroup>")
    return rows


@register.simple_tag(takes_context=True)
def select_options(context, field, facets):
    """The <option>s of a filter select, each with its count; none that would find nothing."""
    queryset = getattr(field.field, "queryset", None)
    if queryset is not None and queryset.model._meta.label == "counties.County":
        return mark_safe("".join(_county_rows(field, facets, context["request"])))  # escaped
    rows = []
    for value, label, selected, count in _choices(field, facets, context["request"]):
        state = " selected" if selected else " disabled" if count == 0 and value else ""
        shown = f" ({count})" if count is not None and value else ""
        rows.append(f'<option value="{value}"{state}>{label}{shown}</option>')
    return mark_safe("".join(rows))  # every value and label escaped above


@register.simple_tag(takes_context=True)
def checkbox_options(context, field, facets):
    """The checkboxes of a multiple-choice filter, each with its label and count."""
    nothing_chosen = not field.value()
    name, prefix = escape(field.html_name), escape(field.auto_id)
    rows = []
    for index, choice in enumerate(_choices(field, facets, context["request"])):
        value, label, selected, count = choice
        state = " checked" if selected else " disabled" if count == 0 and nothing_chosen else ""
        shown = f' <span class="facet-count">({count})</span>' if count is not None else ""
        rows.append(
            f'<div class="kern-form-check"><input class="kern-form-check__checkbox" '
            f'type="checkbox" name="{name}" value="{value}" id="{prefix}_{index}"{state}>'
            f'<label class="kern-label" for="{prefix}_{index}">{label}{shown}</label></div>'
        )
    return mark_safe("\n".join(rows))  # escaped as in select_options


@register.simple_tag(takes_context=True)
def query_items(context, exclude=""):
    """(name, value) pairs of the current query, for hidden inputs of a second form."""
    skipped = set(exclude.split(","))
    return [
        (key, value)
        for key, values in context["request"].GET.lists()
        if key not in skipped
        for value in values
    ]


BAR_STEP = 26
BAR_SPACE = 330  # pixels for the longest bar, right of the labels


@register.filter
def chart_height(count):
    return max(count, 1) * BAR_STEP + 8


@register.filter
def bar_y(index):
    return index * BAR_STEP


@register.filter
def bar_width(value, maximum):
    return round(BAR_SPACE * (value or 0) / maximum) if maximum else 0


def _amount(value):
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def euro_span(span):
    """A cost as (lower, upper): "18.000 €", "10.000–25.000 €" or "über 1.000.000 €"."""
    if not span:
        return ""
    lower, upper = span
    if upper is None:
        return gettext("more than %(amount)s €") % {"amount": _amount(lower)}
    if lower == upper:
        return f"{_amount(lower)} €"
    return f"{_amount(lower)}–{_amount(upper)} €"


@register.filter
def yes_no_unknown(value):
    if value is None:
        return gettext("not specified")
    return gettext("yes") if value else gettext("no")


@register.filter
def plain_number(value):
    """0,5 or 2, not 0,50 or 2,00: a decimal without its trailing zeros, written the German
    way."""
    if value is None:
        return ""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return number_format(value)
