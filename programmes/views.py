from django.conf import settings
from django.db.models import Case, Count, Prefetch, Q, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from portal.listing import FilteredListView
from portal.text import german_slugify

from . import opendata
from .filters import ProgrammeFilter
from .models import Attachment, FieldOfAction, Funding, Programme

RELATED_LIMIT = 4


class ProgrammeListView(FilteredListView):
    filterset_class = ProgrammeFilter
    paginate_by = settings.PROGRAMMES_PER_PAGE
    template_name = "programmes/programme_list.html"

    def get_queryset(self):
        self.queryset = Programme.objects.published().for_cards()
        return super().get_queryset()


class ProgrammeDetailView(DetailView):
    template_name = "programmes/programme_detail.html"

    def get_queryset(self):
        return (
            Programme.objects.publicly_reachable()
            .select_related("county__state", "best_practice")
            .prefetch_related(
                "fields_of_action",
                "target_groups",
                "partner_kinds",
                "keywords",
                Prefetch("fundings", queryset=Funding.objects.order_by("start_year", "pk")),
                "best_practice__indicators",
                "attachments",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related"] = related_programmes(self.object)
        return context


def related_programmes(programme, limit=RELATED_LIMIT):
    """Published programmes of the same county or sharing fields of action, closest first."""
    field_ids = [field.pk for field in programme.fields_of_action.all()]
    same_county = Case(When(county_id=programme.county_id, then=1), default=0)
    shared = Count("fields_of_action", filter=Q(fields_of_action__in=field_ids), distinct=True)
    return (
        Programme.objects.published()
        .exclude(pk=programme.pk)
        .annotate(shared_fields=shared, same_county=same_county)
        .filter(Q(shared_fields__gt=0) | Q(county_id=programme.county_id))
        .order_by("-same_county", "-shared_fields", "-published_at")
        .for_cards()[:limit]
    )


def field_list(request):
    fields = FieldOfAction.objects.with_published_counts()
    return render(request, "programmes/fieldofaction_list.html", {"fields": fields})


def field_detail(request, slug):
    field = get_object_or_404(FieldOfAction.objects.with_published_counts(), slug=slug)
    programmes = (
        Programme.objects.published()
        .filter(fields_of_action=field)
        .for_cards()
        .order_by("-published_at", "title")[:12]
    )
    return render(
        request,
        "programmes/fieldofaction_detail.html",
        {"field": field, "programmes": programmes},
    )


IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _serve(field_file, *, content_type, filename):
    """A stored upload with a content type and name the portal chose, never the uploader."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def attachment(request, slug, pk):
    item = get_object_or_404(
        Attachment.objects.filter(programme__in=Programme.objects.publicly_reachable()),
        pk=pk,
        programme__slug=slug,
    )
    name = f"{german_slugify(item.title) or 'dokument'}.pdf"
    return _serve(item.file, content_type="application/pdf", filename=name)


def image(request, slug):
    programme = get_object_or_404(Programme.objects.publicly_reachable(), slug=slug)
    if not programme.image:
        raise Http404
    extension = programme.image.name.rsplit(".", 1)[-1].lower()
    if extension not in IMAGE_TYPES:
        raise Http404
    return _serve(
        programme.image, content_type=IMAGE_TYPES[extension], filename=f"{slug}.{extension}"
    )


def programme_data(request, fmt):
    """The current (filtered) list of published programmes as open data."""
    filterset = ProgrammeFilter(request.GET, queryset=Programme.objects.published())
    filterset.is_valid()
    records = opendata.rows(filterset.qs, settings.PORTAL_BASE_URL)
    return opendata.as_csv(records) if fmt == "csv" else opendata.as_json(records)


def open_data(request):
    return render(
        request,
        "programmes/open_data.html",
        {
            "fields": opendata.FIELDS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "destatis": opendata.DESTATIS,
        },
    )
