"""The fields of action, each with its published programmes."""

from django.shortcuts import get_object_or_404, redirect, render

from .. import terms
from ..models import (
    FieldOfAction,
    Programme,
)


def field_list(request):
    return render(
        request, "programmes/fieldofaction_list.html", {"fields": terms.counted_fields(request)}
    )


def field_detail(request, slug):
    field = next((field for field in terms.counted_fields(request) if field.address == slug), None)
    if field is None:
        # An address of the English codes ("/handlungsfelder/housing/"): moved for good.
        old = get_object_or_404(FieldOfAction, slug=slug)
        return redirect(old.get_absolute_url(), permanent=True)
    programmes = list(
        Programme.objects.published()
        .filter(fields_of_action=field)
        .for_cards()
        .order_by("-published_at", "title")[:12]
    )
    terms.attach((), programmes, request=request)
    return render(
        request,
        "programmes/fieldofaction_detail.html",
        {"field": field, "programmes": programmes},
    )
