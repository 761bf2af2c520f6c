"""The dossier for a committee: programmes as a tagged PDF (PDF/UA-1, German, with a title)
with a cover, a table of contents and one section per programme, made by WeasyPrint from
an HTML template and its print stylesheet.

A dossier covers the Merkliste, a shared list, one programme, or a filtered list of up to
DOSSIER_MAX; anything else gets a German page saying why. Only published programmes are
ever included. The PDF is kept per content version and day (portal.cache), so asking again
costs nothing."""

import logging
from collections import defaultdict
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_safe

from portal import limits
from portal.cache import cached_value
from portal.links import base_url
from portal.listing import describe_filters

from . import merkliste, terms
from .exchange import published_adoptions, tried_in
from .filters import ProgrammeFilter, canonical_query
from .models import Programme
from .opendata import DESTATIS
from .views import DOSSIER_MAX, read_details, with_detail_relations

logger = logging.getLogger(__name__)
# New dossiers (not yet in the cache) one address may ask for in an hour.
LIMIT_PER_HOUR = 30
# The fonts the stylesheet names: KERN's Fira Sans, served from the npm package.
FONTS = {
    "regular": "kern/fonts/fira-sans/FiraSans-Regular.woff2",
    "bold": "kern/fonts/fira-sans/FiraSans-SemiBold.woff2",
    "italic": "kern/fonts/fira-sans/FiraSans-Italic.woff2",
}


STYLESHEET = "css/dossier.css"
FONT_FACE = '@font-face {{ font-family: "Fira Sans"; font-weight: {weight}; font-style: {style}; src: url("{url}"); }}'  # noqa: E501
FACES = {"regular": ("400", "normal"), "bold": ("700", "normal"), "italic": ("400", "italic")}
PAGE_FONT = '"Fira Sans", "DejaVu Sans", sans-serif'


def _font_files():
    found = {name: finders.find(path) for name, path in FONTS.items()}
    return {name: Path(path).resolve().as_uri() for name, path in found.items() if path}


def _quoted(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _stylesheets(css, fonts, fetcher):
    """The static print stylesheet, the fonts, and the page boxes: the footer names the
    portal and the source of the county figures on every page but the cover, and counts
    the pages."""
    faces = [
        FONT_FACE.format(weight=weight, style=style, url=fonts[name])
        for name, (weight, style) in FACES.items()
        if name in fonts
    ]
    portal, figures = _("Kreise für Integration"), _("County figures:")
    page, of = _("Page"), pgettext("page 3 of 7", "of")
    footer = f"{portal} · {figures} {DESTATIS}"
    pages = (
        "@page { size: A4; margin: 22mm 20mm 24mm 20mm;"
        f" @bottom-left {{ content: {_quoted(footer)}; font: 7.5pt {PAGE_FONT}; color: #333; }}"
        f" @bottom-right {{ content: {_quoted(page + ' ')} counter(page)"
        f" {_quoted(' ' + of + ' ')} counter(pages); font: 8pt {PAGE_FONT}; }} }}"
        " @page :first { @bottom-left { content: none; } @bottom-right { content: none; } }"
    )
    with open(finders.find(STYLESHEET), encoding="utf-8") as handle:
        static = handle.read()
    return [
        css(string="\n".join([*faces, pages]), url_fetcher=fetcher),
        css(string=static, url_fetcher=fetcher),
    ]


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are missing on this server."""


def _weasyprint():
    """WeasyPrint, imported when a dossier is asked for: it loads Pango from the system, and
    a server without it should still serve every other page."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as missing:
        raise PdfUnavailable from missing
    return weasyprint, URLFetcher


def local_fonts_only(allowed):
    """A fetcher that loads nothing but the portal's own font files: no address in a
    programme's text makes the server fetch anything."""
    _module, url_fetcher = _weasyprint()

    class LocalFontsOnly(url_fetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Not loaded into a dossier: {url[:80]}")
            return super().fetch(url, headers)

    return LocalFontsOnly(allowed_protocols=["file"], allow_redirects=False)


def _with_tried_in(programmes):
    """Each programme with the counties it was tried in, from one query for all."""
    adoptions = defaultdict(list)
    for adoption in published_adoptions(programmes):
        adoptions[adoption.adapted_from_id].append(adoption)
    for programme in programmes:
        programme.tried_in = tried_in(programme, adoptions[programme.pk])


def build_pdf(ids, *, title, subtitle, source_url):
    """The PDF of the published programmes among `ids`, in their order."""
    found = with_detail_relations(Programme.objects.published().filter(pk__in=ids)).in_bulk()
    programmes = read_details([found[pk] for pk in ids if pk in found])
    terms.attach(programmes)
    _with_tried_in(programmes)
    fonts = _font_files()
    html = render_to_string(
        "programmes/dossier.html",
        {
            "programmes": programmes,
            "title": title,
            "subtitle": subtitle,
            "created": timezone.localdate(),
            "source_url": source_url,
            "base_url": base_url(None),
            "destatis": DESTATIS,
        },
    )
    weasyprint, _fetcher = _weasyprint()
    fetcher = local_fonts_only(set(fonts.values()))
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    stylesheets = _stylesheets(weasyprint.CSS, fonts, fetcher)
    return document.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")


class TooManyDossiers(Exception):
    """An address asked for more new dossiers than LIMIT_PER_HOUR."""


def _response(request, ids, *, title, subtitle, filename, source):
    """The PDF, from the cache when the same selection was asked for today (at this content
    version). `source` is the selection's own address, printed on the cover: never what
    the request carried besides, which could put someone else's words in the document."""
    today = timezone.localdate().isoformat()
    source_url = f"{base_url(request)}{source}"

    def make():
        # Only new dossiers count: each costs the server seconds of work.
        if limits.over_limit("dossier-ip", limits.visitor(request), LIMIT_PER_HOUR):
            raise TooManyDossiers
        return build_pdf(ids, title=title, subtitle=subtitle, source_url=source_url)

    try:
        pdf = cached_value(
            f"dossier:{ids}:{title}:{subtitle}:{source}:{today}", make, request=request
        )
    except TooManyDossiers:
        return _refusal(
            request,
            _("Too many dossiers in a short time"),
            _("From this address more new dossiers were asked for in the last hour than the "
              "server makes. Please try again later; dossiers made before still download."),
            source,
            429,
        )  # fmt: skip
    except PdfUnavailable:
        logger.exception("Dossier asked for, but WeasyPrint cannot run on this server")
        return _refusal(
            request,
            _("The dossier cannot be made at the moment"),
            _("This server cannot make PDF files at the moment. Please try again later; the "
              "programmes' pages can also be printed from the browser."),
            "/programme/",
            503,
        )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{today}.pdf"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _refusal(request, heading, text, back_url, status):
    return render(
        request,
        "programmes/dossier_refused.html",
        {"heading": heading, "text": text, "back_url": back_url},
        status=status,
    )


def _nothing(request, back_url):
    return _refusal(
        request,
        _("There is nothing to put in a dossier"),
        _("The dossier needs at least one published programme. Save programmes to your "
          "Merkliste or choose filters that find some."),
        back_url,
        404,
    )  # fmt: skip


def _count_subtitle(count):
    return ngettext("%(count)s programme", "%(count)s programmes", count) % {"count": count}


def _list_response(request, programmes, filename):
    """A dossier of a Merkliste or a shared list: its cover names the shared address."""
    ids = [p.pk for p in programmes]
    return _response(
        request,
        ids,
        title=_("Dossier: programmes for the committee"),
        subtitle=_count_subtitle(len(programmes)),
        filename=filename,
        source=f"{reverse('programmes:merkliste-shared')}?{merkliste.share_query(ids)}",
    )


@require_safe
def merkliste_dossier(request):
    programmes = merkliste.published_in_order(merkliste.merkliste_of(request).ids())
    if not programmes:
        return _nothing(request, reverse("programmes:merkliste"))
    return _list_response(request, programmes, "dossier-merkliste")


@require_safe
def shared_dossier(request):
    ids, _dropped = merkliste.parse_ids(request.GET.get(merkliste.SHARE_PARAM))
    programmes = merkliste.published_in_order(ids)
    if not programmes:
        return _nothing(request, reverse("programmes:programme-list"))
    return _list_response(request, programmes, "dossier")


@require_safe
def programme_dossier(request, slug):
    programme = get_object_or_404(Programme.objects.published().only("pk", "title"), slug=slug)
    return _response(
        request,
        [programme.pk],
        title=programme.title,
        subtitle=_("Dossier of one programme"),
        filename=f"dossier-{slug[:60]}",
        source=programme.get_absolute_url(),
    )


@require_safe
def list_dossier(request):
    """The filtered list, as long as it holds at most DOSSIER_MAX."""
    filterset = ProgrammeFilter(
        request.GET, queryset=Programme.objects.published(), request=request
    )
    filterset.is_valid()
    ids = list(filterset.qs.values_list("pk", flat=True)[: DOSSIER_MAX + 1])
    # The list's own filters and order, nothing else the address carried.
    query = canonical_query(request.GET, keep=("sortierung",))
    back_url = f"{reverse('programmes:programme-list')}{'?' + query if query else ''}"
    if not ids:
        return _nothing(request, back_url)
    if len(ids) > DOSSIER_MAX:
        return _refusal(
            request,
            _("Too many programmes for one dossier"),
            _("A dossier holds at most %(max)s programmes, and more match these filters. "
              "Please narrow the list with further filters or a search, or save the "
              "programmes you want to your Merkliste.") % {"max": DOSSIER_MAX},
            back_url,
            400,
        )  # fmt: skip
    described = describe_filters(filterset, request.GET)
    return _response(
        request,
        ids,
        title=_("Dossier: programmes of the counties"),
        subtitle=f"{described} – {_count_subtitle(len(ids))}" if described
        else _count_subtitle(len(ids)),
        filename="dossier-programme",
        source=back_url,
    )  # fmt: skip
