from django import template

from programmes.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("admin/_dashboard.html", takes_context=True)
def staff_dashboard(context):
    return dashboard(context["request"].user)
