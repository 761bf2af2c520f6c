"""A programme's public page: its texts and profile, related and comparable programmes, and
the exchange between counties; and the staff's preview of it in any state."""

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.views.generic import DetailView

from portal.text import render_markdowns

from .. import neighbours, terms
from ..exchange import exchange_context
from ..models import (
    Programme,
)


def with_detail_relations(queryset):
    """Programmes with what their pages show from their own rows and the rows beside them
    (profile, kept neighbours); `read_details` and `terms.attach` read the rest, and
    `terms.attach` gives them their counties."""
    return queryset.select_related("best_practice", "neighbours")


def read_details(programmes):
    """The source of a take-over and the indicators of a profile, read only for the
    programmes that have them (few are taken over; most have no profile). The Markdown
    texts of the page are converted together, in one round trip to the shared cache."""
    adapted = [programme for programme in programmes if programme.adapted_from_id]
    if adapted:
        sources = Programme.objects.select_related("county")
        prefetch_related_objects(adapted, Prefetch("adapted_from", queryset=sources))
    profiled = [programme for programme in programmes if programme.profile is not None]
    if profiled:
        prefetch_related_objects(profiled, "best_practice__indicators")
    render_markdowns([text for programme in programmes for text in shown_texts(programme)])
    return programmes


def shown_texts(programme):
    """The Markdown texts that programme_detail.html shows; one left out here is still
    shown, converted on its own."""
    texts = [programme.description, programme.goals]
    profile = programme.profile
    if profile is not None and profile.is_recognised:
        texts += [profile.starting_situation, profile.approach, profile.results]
        texts += [profile.success_factors, profile.obstacles]
        texts += [text for _label, text in profile.transfer_items]
    return [text for text in texts if text]


def neighbours_context(request, programme):
    """Related and comparable published programmes: their ids kept ahead
    (programmes.neighbours), their cards read fresh. The terms of the programme and of the
    cards come in one statement (programmes.terms)."""
    related_ids, comparable_ids = neighbours.ids(programme, request)
    cards = (
        Programme.objects.published()
        .filter(pk__in=[*related_ids, *comparable_ids])
        .for_cards()
        .in_bulk()
    )
    terms.attach([programme], cards.values(), request=request)
    return {
        "related": [cards[pk] for pk in related_ids if pk in cards],
        "comparable": [cards[pk] for pk in comparable_ids if pk in cards],
    }


class ProgrammeDetailView(DetailView):
    template_name = "programmes/programme_detail.html"

    def get_queryset(self):
        return with_detail_relations(Programme.objects.publicly_reachable())

    def get_object(self, queryset=None):
        programme = super().get_object(queryset)
        read_details([programme])
        return programme

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(neighbours_context(self.request, self.object))
        context.update(exchange_context(self.request, self.object))
        return context


def preview_response(request, programme):
    """A programme of any state as the public would see it, for its county's staff and the
    editors: marked as a preview, kept out of search engines and caches."""
    programme = with_detail_relations(Programme.objects.filter(pk=programme.pk)).get()
    read_details([programme])
    context = {"programme": programme, "object": programme, "preview": True}
    context.update(neighbours_context(request, programme))
    context.update(exchange_context(request, programme))
    response = render(request, "programmes/programme_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
