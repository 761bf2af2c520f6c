"""The fields of action, each with its published programmes."""

from django.shortcuts import get_object_or_404, redirect, render

from .. import terms
from ..models import (
    FieldOfAction,
    Programme,
)


def field_list(request):
    fields = FieldOfAction.objects.with_published_counts()
    return render(request, "programmes/fieldofaction_list.html", {"fields": fields})


def field_detail(request, slug):
    field = FieldOfAction.objects.with_published_counts().filter(address=slug).first()
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
