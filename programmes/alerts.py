"""Pages of the saved searches ("Suchauftrag"): save, confirm, end in one click, list and
end all of an address, and follow the counties like one's own (programmes.digests)."""

import logging
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from counties.models import County
from portal import limits
from portal.roles import county_ids

from . import digests
from .models import Rhythm, SearchSubscription

logger = logging.getLogger(__name__)


# The database keeps addresses of up to 254 characters (RFC 5321's limit for a path).
EMAIL_MAX_LENGTH = 254


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=EMAIL_MAX_LENGTH,
        label=_("Your e-mail address"),
        help_text=_("You will receive a link to confirm it; nothing is sent before."),
    )
    rhythm = forms.ChoiceField(
        label=_("How often?"),
        choices=Rhythm.choices,
        initial=Rhythm.WEEKLY,
        widget=forms.RadioSelect,
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy policy: my address is kept until I end the saved "
                "search."),
    )  # fmt: skip
    # Left empty by people; filled in by programs that fill in every field.
    website = forms.CharField(label=_("Please leave this field empty"), required=False)

    @property
    def is_spam(self):
        return bool(self.data.get("website"))


class AddressForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=EMAIL_MAX_LENGTH)


def _limited(request, email):
    """Every form sent counts against the limits of its IP address and its e-mail address."""
    by_ip = digests.is_limited("subscription-ip", limits.visitor(request))
    return digests.is_limited("subscription-address", email.lower()) or by_ip


def _described(query):
    subscription = SearchSubscription(query=query)
    return digests.describe(subscription)


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """Save the list's current search: the filters come in the address (GET) and are sent
    back with the form."""
    source = request.POST.get("suche", "") if request.method == "POST" else None
    data = QueryDict(source) if source is not None else request.GET
    context = {}
    try:
        query = digests.clean_query(data)
    except digests.SubscriptionError as error:
        query, context["error"] = "", str(error)
    form = SubscribeForm(request.POST or None)
    context.update(
        form=form,
        query=query,
        description=_described(query),
        list_url=f"{reverse('programmes:programme-list')}{'?' + query if query else ''}",
    )
    if request.method == "POST" and "error" not in context:
        if form.is_spam:
            return render(request, "programmes/subscription_sent.html", context)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if _limited(request, email):
                context["limited"] = True
                return render(request, "programmes/subscribe.html", context, status=429)
            failed = []
            try:
                digests.subscribe(
                    email=email,
                    query=query,
                    rhythm=form.cleaned_data["rhythm"],
                    on_mail_failure=lambda: failed.append(True),
                )
            except digests.SubscriptionError as error:
                context["error"] = str(error)
            else:
                context["mail_failed"] = bool(failed)
                return render(request, "programmes/subscription_sent.html", context)
    status = 400 if form.errors or "error" in context else 200
    return render(request, "programmes/subscribe.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button (mail programs open links to check them); POST confirms."""
    subscription = SearchSubscription.objects.select_related("similar_to").filter(token=token)
    subscription = subscription.first()
    context = {"subscription": subscription}
    if request.method == "POST":
        try:
            subscription = digests.confirm(token=token)
            context.update(done=True, subscription=subscription)
        except digests.SubscriptionError as error:
            context["error"] = str(error)
    elif subscription is None:
        context["error"] = gettext(
            "This confirmation link is not valid. It may have expired and been deleted."
        )
    elif subscription.confirmed_at is not None:
        context["error"] = gettext("This saved search has already been confirmed.")
    elif digests.is_expired(subscription):
        context["error"] = gettext(
            "This confirmation link has expired. Please save the search again."
        )
    if context.get("subscription") is not None and "error" not in context:
        context["description"] = digests.describe(context["subscription"])
    status = 400 if "error" in context else 200
    return render(request, "programmes/subscription_confirm.html", context, status=status)


@csrf_exempt  # RFC 8058: mail programs post "List-Unsubscribe=One-Click" without a form
@require_http_methods(["GET", "HEAD", "POST"])
def end(request, token):
    """One click ends the subscription. GET asks first (link checkers open every link);
    POST, from the page's button or a mail program, ends it at once."""
    subscription = SearchSubscription.objects.select_related("similar_to").filter(token=token)
    subscription = subscription.first()
    context = {"subscription": subscription}
    if subscription is not None:
        context["description"] = digests.describe(subscription)
    if request.method == "POST":
        context["done"] = digests.end(token=token)
        context["gone"] = not context["done"]
    elif subscription is None:
        context["gone"] = True
    return render(request, "programmes/subscription_end.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def manage_request(request):
    """Ask for the link to the page that lists an address's saved searches."""
    form = AddressForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _limited(request, email):
            context["limited"] = True
            return render(request, "programmes/subscriptions_request.html", context, status=429)
        try:
            digests.send_manage_link(email)
        except Exception:  # the mail server's errors: said on the page, not a 500
            logger.exception("Link to the saved searches not sent")
            context["mail_failed"] = True
        else:
            context["sent"] = True
    status = 400 if form.errors else 200
    return render(request, "programmes/subscriptions_request.html", context, status=status)


def _tokens(values):
    tokens = []
    for value in values[:50]:
        try:
            tokens.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return tokens


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, value):
    """All saved searches of the address the link was sent to, each to end, or all."""
    try:
        email = digests.email_from_manage_value(value)
    except digests.SubscriptionError as error:
        context = {"form": AddressForm(), "error": str(error)}
        return render(request, "programmes/subscriptions_request.html", context, status=400)
    subscriptions = SearchSubscription.objects.filter(email__iexact=email).select_related(
        "similar_to"
    )
    if request.method == "POST":
        chosen = subscriptions
        if request.POST.get("alle") != "1":
            chosen = subscriptions.filter(token__in=_tokens(request.POST.getlist("suchauftrag")))
        count = chosen.count()
        chosen.delete()
        messages.success(
            request,
            ngettext(
                "%(count)s saved search has been ended.",
                "%(count)s saved searches have been ended.",
                count,
            )
            % {"count": count},
        )
        return HttpResponseRedirect(request.path)
    items = list(subscriptions)
    for item in items:
        item.description = digests.describe(item)
    return render(request, "programmes/subscriptions_manage.html", {"email": email, "items": items})


@require_POST
def follow_similar(request):
    """County staff: the counties like theirs, by e-mail every week."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("programmes:comparable"))
    chosen = request.POST.get("county", "")
    county = get_object_or_404(
        County.objects.filter(pk__in=county_ids(request.user)),
        pk=chosen if chosen.isascii() and chosen.isdigit() else None,
    )
    back = f"{reverse('programmes:comparable')}?kreis={county.slug}"
    try:
        _subscription, created = digests.follow_similar(user=request.user, county=county)
    except digests.SubscriptionError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    if created:
        messages.success(
            request,
            gettext(
                "You now follow counties like %(name)s: new programmes come to %(email)s "
                "every week."
            )
            % {"name": county.name, "email": request.user.email},
        )
    else:
        messages.info(
            request, gettext("You already follow counties like %(name)s.") % {"name": county.name}
        )
    return HttpResponseRedirect(back)
