"""Open data: the published programmes of the current filters as CSV or JSON, and the page
that describes them."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal.links import base_url

from .. import opendata
from ..enums import ProgrammeStatus
from ..filters import (
    ProgrammeFilter,
)
from ..models import (
    FieldOfAction,
    Programme,
    TargetGroup,
)


def programme_data(request, fmt):
    """The current (filtered) list of published programmes as open data."""
    filterset = ProgrammeFilter(request.GET, queryset=Programme.objects.published())
    filterset.is_valid()
    records = opendata.rows(filterset.qs, base_url(request))
    return opendata.as_csv(records) if fmt == "csv" else opendata.as_json(records)


def open_data(request):
    return render(
        request,
        "programmes/open_data.html",
        {
            "codes": [
                (_("Fields of action"), FieldOfAction.objects.all()),
                (_("Target groups"), TargetGroup.objects.all()),
            ],
            "statuses": ProgrammeStatus.choices,
            "fields": opendata.FIELDS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "destatis": opendata.DESTATIS,
        },
    )
