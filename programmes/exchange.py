"""The exchange between counties on the public pages: taking a practice over ("Übernehmen"),
the lineage of practices, questions and study-visit requests."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from counties.models import County
from portal import limits
from portal.cache import cached_value
from portal.roles import county_ids

from . import contact, services
from .models import ContactRequest, Programme, RequestKind, RequestState

KINDS = {"frage": RequestKind.QUESTION, "hospitation": RequestKind.VISIT}
MESSAGE_MAX_LENGTH = 5000
NONE_ANSWERED = {"questions": 0, "visits": 0}


def published_adoptions(sources):
    """The published take-overs of `sources`, with what the pages show of their counties."""
    return (
        Programme.objects.published()
        .filter(adapted_from__in=sources)
        .select_related("county__state")
        .only("slug", "title", "adapted_from", "county__name", "county__slug",
              "county__category", "county__population", "county__area_km2",
              "county__state__name")
        .order_by("county__sort_name")
    )  # fmt: skip


def tried_in(programme, adoptions):
    """Where a practice was tried: its own county, then each county that published a
    take-over of it, once."""
    counties = {programme.county_id: programme.county}
    for adoption in adoptions:
        counties.setdefault(adoption.county_id, adoption.county)
    return list(counties.values())


def exchange_context(request, programme):
    """Lineage both ways, where the practice was tried, the county's answered requests,
    and what the visitor may do: take it over, ask, request a visit."""
    # Programmes read with terms.attach know whether there are any.
    taken_over = getattr(programme, "has_adoptions", True)
    adoptions = list(published_adoptions([programme])) if taken_over else []
    # A first answer raises the content version (programmes.contact). All counties in one
    # statement, kept in the process: a programme page of another county costs no round trip.
    answered = cached_value(
        "answered-by-county", ContactRequest.objects.answered_by_county, request=request, local=True
    ).get(programme.county_id, NONE_ANSWERED)
    user = request.user
    return {
        "lineage": programme.lineage() if programme.is_adapted else [],
        "adoptions": adoptions,
        "tried_in": tried_in(programme, adoptions),
        "answered": answered,
        "may_be_asked": contact.may_be_asked(programme),
        "adopt_counties": (
            list(services.adoptable_counties(user, programme)) if user.is_authenticated else []
        ),
    }


# Taking a practice over ------------------------------------------------------------


class AdoptForm(forms.Form):
    county = forms.ModelChoiceField(
        label=_("Into which county?"), queryset=County.objects.none(), empty_label=None
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties
        self.fields["county"].error_messages["invalid_choice"] = _(
            "You can only take a practice over into a county you work for."
        )


@require_http_methods(["GET", "HEAD", "POST"])
def adopt(request, slug):
    programme = get_object_or_404(Programme.objects.published().select_related("county"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    counties = services.adoptable_counties(request.user, programme).order_by("sort_name")
    if not counties.exists():
        if programme.county_id in county_ids(request.user):
            return render(request, "programmes/adopt.html", {"programme": programme, "own": True})
        raise PermissionDenied
    form = AdoptForm(request.POST or None, counties=counties)
    if request.method == "POST" and form.is_valid():
        adopted = services.programme_adopt(
            programme=programme, county=form.cleaned_data["county"], user=request.user
        )
        messages.success(
            request,
            gettext(
                "A draft has been created in your county, based on “%(title)s”. Adapt it to "
                "your county, say what you changed, then submit it for review."
            )
            % {"title": programme.title},
        )
        return HttpResponseRedirect(reverse("admin:programmes_programme_change", args=[adopted.pk]))
    status = 400 if form.errors else 200
    return render(
        request, "programmes/adopt.html", {"programme": programme, "form": form}, status=status
    )


# Questions and study visits ---------------------------------------------------------


class RequestForm(forms.Form):
    sender_county = forms.ModelChoiceField(
        label=_("Send as staff of"), queryset=County.objects.none(), empty_label=None
    )
    sender_name = forms.CharField(label=_("Your name"), max_length=120)
    sender_organisation = forms.CharField(label=_("Organisation"), max_length=200)
    sender_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,  # as the database keeps it
        help_text=_("You will receive a link to confirm it; the answer is sent there."),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most 5,000 characters."),
    )
    proposed_dates = forms.CharField(
        label=_("Proposed dates"),
        max_length=300,
        help_text=_("E.g. “in the week of 12 May, or any Tuesday in June”."),
    )
    visitors = forms.IntegerField(label=_("Number of visitors"), min_value=1, max_value=50)
    privacy = forms.BooleanField(
        label=_("I have read the privacy policy: my request is stored until a year after it "
                "was closed."),
    )  # fmt: skip
    # Left empty by people; filled in by programs that fill in every field.
    website = forms.CharField(label=_("Please leave this field empty"), required=False)

    def __init__(self, *args, kind, counties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if counties is not None:  # county staff: their county's name instead of their own
            self.fields["sender_county"].queryset = counties
            self.fields["sender_county"].error_messages["invalid_choice"] = _(
                "You can only send under the name of a county you work for."
            )
            for name in ("sender_name", "sender_organisation", "sender_email", "privacy"):
                del self.fields[name]
        else:
            del self.fields["sender_county"]
        if kind != RequestKind.VISIT:
            del self.fields["proposed_dates"]
            del self.fields["visitors"]

    @property
    def is_spam(self):
        return bool(self.data.get("website"))


def _limited(request, form, counties):
    """Every request counts against each of its limits, refused ones too."""
    if counties is not None:
        sender = contact.over_limit("user", request.user.pk)
    else:
        sender = contact.over_limit("address", form.cleaned_data["sender_email"].strip().lower())
    return contact.over_limit("ip", limits.visitor(request)) or sender


@require_http_methods(["GET", "HEAD", "POST"])
def ask(request, slug, kind):
    if kind not in KINDS:
        raise Http404
    kind = KINDS[kind]
    programme = get_object_or_404(Programme.objects.published().select_related("county"), slug=slug)
    if not contact.may_be_asked(programme):
        raise Http404
    own = county_ids(request.user)
    counties = County.objects.filter(pk__in=own).order_by("sort_name") if own else None
    form = RequestForm(request.POST or None, kind=kind, counties=counties)
    context = {"programme": programme, "form": form, "kind": kind}
    if request.method == "POST":
        if form.is_spam:
            # Answered like a real request, so that a program learns nothing; nothing stored.
            return render(request, "programmes/request_sent.html", {**context, "confirm": True})
        if form.is_valid():
            if _limited(request, form, counties):
                context["limited"] = True
                return render(request, "programmes/request_form.html", context, status=429)
            data = {**form.cleaned_data, "kind": kind}
            item = contact.create_request(programme=programme, data=data, user=request.user)
            return render(
                request,
                "programmes/request_sent.html",
                {**context, "confirm": item.state == RequestState.UNCONFIRMED},
            )
    status = 400 if form.errors else 200
    return render(request, "programmes/request_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button (mail programs open links to check them); POST confirms."""
    item = ContactRequest.objects.select_related("programme__county").filter(token=token).first()
    context = {"item": item}
    if request.method == "POST":
        try:
            contact.confirm_request(token=token)
            context["done"] = True
        except contact.RequestError as error:
            context["error"] = str(error)
    elif item is None:
        context["error"] = gettext(
            "This confirmation link is not valid. It may have expired and been deleted."
        )
    elif item.state != RequestState.UNCONFIRMED:
        context["error"] = gettext("This request has already been confirmed and passed on.")
    elif contact.is_expired(item):
        context["error"] = gettext(
            "This confirmation link has expired; the request will be deleted. Please send it again."
        )
    elif not contact.may_be_asked(item.programme):
        # Withdrawn or in review since: its title may have changed and is no longer public.
        context["error"] = gettext("The programme no longer takes requests; nothing was sent.")
    status = 400 if "error" in context else 200
    return render(request, "programmes/request_confirm.html", context, status=status)
