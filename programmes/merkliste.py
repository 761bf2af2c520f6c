"""The Merkliste: programmes a visitor collects to compare them and take them to a committee.

Visitors without an account keep it in their session; signed-in staff in their account, so
that it outlasts a logout (what they collected before signing in joins it). Only published
programmes are ever shown or stored; a shared link carries the programmes' numbers and
reproduces the list for anyone.

The buttons sit on cached public pages, which cannot carry a form token (portal.cache):
the form posts without one and the view checks instead that the request comes from the
portal's own pages (Sec-Fetch-Site or Origin), while the session cookie, SameSite=Lax, is
never sent with another site's form anyway. A visitor whose pages show a Merkliste has a
session, and pages of a session are not served from the shared page cache."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import Http404, HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from portal.links import base_url

from .models import MerklistEntry, Programme

SESSION_KEY = "merkliste"
LIMIT = 10
SHARE_PARAM = "programme"
REQUEST_ATTRIBUTE = "_merkliste"


def parse_ids(text, limit=LIMIT):
    """Programme numbers from a shared link ("12,40,7"): numbers only, each once, in order;
    returns (ids, whether anything was left out)."""
    ids, dropped = [], False
    for part in str(text or "").replace(" ", ",").split(","):
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or len(part) > 10:
            dropped = True
            continue
        number = int(part)
        if number in ids:
            continue
        if len(ids) == limit:
            dropped = True
            break
        ids.append(number)
    return ids, dropped


def published_in_order(ids, queryset=None):
    """The published programmes among `ids`, in the order of `ids`."""
    queryset = queryset if queryset is not None else Programme.objects.all()
    found = queryset.filter(pk__in=ids).published().in_bulk()
    return [found[pk] for pk in ids if pk in found]


class Merkliste:
    """One visitor's list: the session's or the account's, read once per request."""

    def __init__(self, request):
        self.request = request
        # Error pages for a refused request render before the middleware gave it a user.
        user = getattr(request, "user", None)
        self.user = user if user is not None and user.is_authenticated else None
        self._ids = None

    def ids(self):
        if self._ids is None:
            if self.user is not None:
                self._ids = list(
                    MerklistEntry.objects.filter(user=self.user).values_list(
                        "programme_id", flat=True
                    )
                )
            elif settings.SESSION_COOKIE_NAME in self.request.COOKIES and hasattr(
                self.request, "session"
            ):
                self._ids = [pk for pk in self.request.session.get(SESSION_KEY, []) if pk]
            else:  # no session, nothing collected: no need to open one
                self._ids = []
        return self._ids

    def __len__(self):
        return len(self.ids())

    def __contains__(self, pk):
        return pk in self.ids()

    def store(self, ids):
        self._change(lambda _current: ids)

    def _change(self, change):
        """Apply `change` (current ids -> new ids) to the freshest list. An account's list
        changes one request at a time (its user row is the lock), so quick clicks in several
        tabs lose nothing; a session's list is written with the session, as Django does."""
        if self.user is None:
            ids = list(dict.fromkeys(change(self.ids())))[:LIMIT]
            if ids:
                self.request.session[SESSION_KEY] = ids
            else:
                self.request.session.pop(SESSION_KEY, None)
            self._ids = ids
            return
        with transaction.atomic():
            list(get_user_model().objects.select_for_update().filter(pk=self.user.pk).values("pk"))
            entries = MerklistEntry.objects.filter(user=self.user)
            current = list(entries.values_list("programme_id", flat=True))
            ids = list(dict.fromkeys(change(current)))[:LIMIT]
            if ids != current:
                entries.delete()
                MerklistEntry.objects.bulk_create(
                    MerklistEntry(user=self.user, programme_id=pk, position=position)
                    for position, pk in enumerate(ids)
                )
        self._ids = ids

    def add(self, pk):
        """'added', 'present' or 'full'."""
        outcome = []

        def change(ids):
            if pk in ids:
                outcome.append("present")
                return ids
            if len(ids) >= LIMIT:
                outcome.append("full")
                return ids
            outcome.append("added")
            return [*ids, pk]

        self._change(change)
        return outcome[0]

    def remove(self, pk):
        self._change(lambda ids: [item for item in ids if item != pk])

    def move(self, pk, step):
        def change(ids):
            ids = list(ids)
            if pk in ids:
                index = ids.index(pk)
                target = max(0, min(len(ids) - 1, index + step))
                ids.insert(target, ids.pop(index))
            return ids

        self._change(change)

    def extend(self, pks):
        """Add what is not there yet, as far as there is room; the number added."""
        added = []

        def change(ids):
            new = [pk for pk in pks if pk not in ids][: LIMIT - len(ids)]
            added.extend(new)
            return [*ids, *new]

        self._change(change)
        return len(added)


def button_label(saved):
    """What the Merken button of a programme says (the template tag and the JSON answer)."""
    return _("Saved – remove") if saved else _("Save to Merkliste")


def merkliste_of(request):
    if not hasattr(request, REQUEST_ATTRIBUTE):
        setattr(request, REQUEST_ATTRIBUTE, Merkliste(request))
    return getattr(request, REQUEST_ATTRIBUTE)


def context(request):
    """Context processor: the header's count and the cards' buttons, read only when shown."""
    return {"merkliste": SimpleLazyObject(lambda: set(merkliste_of(request).ids()))}


def join_on_login(sender, request, user, **kwargs):
    """What a visitor collected before signing in joins the account's list."""
    collected = request.session.pop(SESSION_KEY, None) if request is not None else None
    if collected:
        merkliste = Merkliste(request)
        merkliste.user = user
        merkliste.extend([p.pk for p in published_in_order(collected)])


def connect():
    user_logged_in.connect(join_on_login, dispatch_uid="merkliste-join-on-login")


# Views ------------------------------------------------------------------------------


def from_own_pages(request):
    """A browser says where a form came from (Sec-Fetch-Site; older ones send Origin)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin == f"{request.scheme}://{request.get_host()}"


def _back(request, default):
    target = request.POST.get("weiter") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _programme_id(request):
    value = request.POST.get("programm", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None


@csrf_exempt
@require_POST
def change(request):
    """Add, remove or move one programme, take over a shared list, or empty the list."""
    if not from_own_pages(request):
        return HttpResponseForbidden(_("This form can only be sent from the portal's pages."))
    merkliste = merkliste_of(request)
    action = request.POST.get("aktion", "")
    page = reverse("programmes:merkliste")
    if action == "leeren":
        merkliste.store([])
        messages.success(request, _("Your Merkliste is empty now."))
        return _back(request, page)
    if action == "uebernehmen":
        ids, _dropped = parse_ids(request.POST.get(SHARE_PARAM))
        wanted = [p.pk for p in published_in_order(ids) if p.pk not in merkliste]
        added = merkliste.extend(wanted)
        if added < len(wanted):
            messages.warning(
                request,
                _("Your Merkliste holds at most %(limit)s programmes; not all were added.")
                % {"limit": LIMIT},
            )
        messages.success(
            request,
            ngettext(
                "%(count)s programme added to your Merkliste.",
                "%(count)s programmes added to your Merkliste.",
                added,
            )
            % {"count": added},
        )
        return HttpResponseRedirect(page)
    pk = _programme_id(request)
    programme = Programme.objects.published().filter(pk=pk).only("pk", "title").first()
    if programme is None and not (action == "entfernen" and pk in merkliste):
        if _wants_json(request):
            return JsonResponse({"message": _("This programme is not published.")}, status=404)
        raise Http404
    if action == "merken":
        outcome = merkliste.add(pk)
        text = {
            "added": _("“%(title)s” is on your Merkliste."),
            "present": _("“%(title)s” is already on your Merkliste."),
            "full": _(
                "Your Merkliste holds at most %(limit)s programmes. Remove one to add “%(title)s”."
            ),
        }[outcome]
    elif action == "entfernen":
        merkliste.remove(pk)
        text = _("“%(title)s” was removed from your Merkliste.")
    elif action in ("hoch", "runter"):
        merkliste.move(pk, -1 if action == "hoch" else 1)
        text = _("“%(title)s” was moved.")
    else:
        return HttpResponseForbidden(_("Unknown action."))
    title = programme.title if programme is not None else _("The programme")
    text = text % {"title": title, "limit": LIMIT}
    if _wants_json(request):
        saved = pk in merkliste
        return JsonResponse(
            {
                "message": text,
                "saved": saved,
                "count": len(merkliste),
                "label": button_label(saved),
            },
            status=409 if action == "merken" and pk not in merkliste else 200,
        )
    level = messages.WARNING if action == "merken" and pk not in merkliste else messages.SUCCESS
    messages.add_message(request, level, text)
    return _back(request, page)


def _for_table(ids):
    """The published programmes among `ids` with what the comparison shows, in order and in
    a fixed number of queries."""
    compared = Programme.objects.select_related("county__state", "best_practice")
    return published_in_order(ids, compared.prefetch_related("fields_of_action"))


def share_query(ids):
    return f"{SHARE_PARAM}={','.join(str(pk) for pk in ids)}"


@require_safe
def page(request):
    merkliste = merkliste_of(request)
    ids = merkliste.ids()
    programmes = _for_table(ids)
    if len(programmes) < len(ids):
        gone = len(ids) - len(programmes)
        merkliste.store([p.pk for p in programmes])
        messages.info(
            request,
            ngettext(
                "%(count)s programme is no longer published and was removed from your Merkliste.",
                "%(count)s programmes are no longer published and were removed from your "
                "Merkliste.",
                gone,
            )
            % {"count": gone},
        )
    ids = [p.pk for p in programmes]
    return render(
        request,
        "programmes/merkliste.html",
        {
            "programmes": programmes,
            "limit": LIMIT,
            "share_url": (
                f"{base_url(request)}{reverse('programmes:merkliste-shared')}?{share_query(ids)}"
            ),
            "dossier_url": reverse("programmes:merkliste-dossier"),
        },
    )


@require_safe
def shared(request):
    """A list someone shared: read-only, with the offer to take it over."""
    ids, dropped = parse_ids(request.GET.get(SHARE_PARAM))
    programmes = _for_table(ids)
    notices = []
    if dropped:
        notices.append(
            _(
                "The link holds more than %(limit)s programmes or parts that are no programme "
                "numbers; only the first %(limit)s valid ones are shown."
            )
            % {"limit": LIMIT}
        )
    if len(programmes) < len(ids):
        notices.append(_("Some programmes of this link are not published (any longer)."))
    ids = [p.pk for p in programmes]
    return render(
        request,
        "programmes/merkliste_shared.html",
        {
            "programmes": programmes,
            "notices": notices,
            "ids": ",".join(str(pk) for pk in ids),
            "dossier_url": (
                f"{reverse('programmes:shared-dossier')}?{share_query(ids)}" if ids else ""
            ),
        },
    )
