from django import template

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
