"""Programme cards and the Merken button, written in Python rather than as included
templates: a list shows twenty of them, and this way a page of cards costs half the time."""

from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from portal.templatetags.portal_tags import euro_span, plain_number
from programmes.enums import ProgrammeStatus
from programmes.merkliste import button_label

register = template.Library()


MERKEN_FORM = (
    '<form method="post" action="{action}" class="merken-form js-merken">'
    '<input type="hidden" name="programm" value="{pk}">'
    '<input type="hidden" name="weiter" value="{back}">'
    '<input type="hidden" name="aktion" value="{action_name}">'
    '<button type="submit" class="kern-btn kern-btn--tertiary merken-button" data-saved="{saved}">'
    '<span class="kern-label">{label}<span class="kern-sr-only">: {title}</span></span>'
    "</button></form>"
)


# Stands for the slug in the address of a programme, worked out once per request.
SLUG_MARK = "slug-of-the-programme"


def _shared(request):
    """What every card and Merken button of a page writes the same way, worked out once per
    request: labels, the Merkliste's address and the way back, and the address of a
    programme page around its slug (one reverse() per page, not per card)."""
    shared = getattr(request, "_programme_cards", None)
    if shared is None:
        address = reverse("programmes:programme-detail", kwargs={"slug": SLUG_MARK})
        before, _mark, after = address.partition(SLUG_MARK)
        shared = {
            "address": (before, after),
            "statuses": {
                value: escape(capfirst(str(label))) for value, label in ProgrammeStatus.choices
            },
            "best": escape(gettext("Best practice")),
            "characteristics": escape(gettext("Characteristics")),
            "reason": escape(gettext("Why the editors chose it:")),
            "action": escape(reverse("programmes:merkliste-change")),
            "back": escape(request.get_full_path()),
            "labels": {saved: escape(str(button_label(saved))) for saved in (False, True)},
        }
        request._programme_cards = shared
    return shared


@register.simple_tag(takes_context=True)
def merken_button(context, programme):
    """The "Merken" form of a card or a programme page (enhanced by static/js/merkliste.js)."""
    shared = _shared(context["request"])
    saved = programme.pk in context.get("merkliste", ())
    return mark_safe(  # every value escaped
        MERKEN_FORM.format(
            action=shared["action"],
            pk=int(programme.pk),
            back=shared["back"],
            action_name="entfernen" if saved else "merken",
            saved="true" if saved else "false",
            label=shared["labels"][saved],
            title=escape(programme.title),
        )
    )


def _card_facts(profile):
    """Two or three facts of the transferability card, as a best-practice card shows them."""
    facts = []
    if profile.staff_fte is not None:
        facts.append(gettext("%(fte)s FTE staff") % {"fte": plain_number(profile.staff_fte)})
    if profile.running_cost is not None:
        facts.append(gettext("%(cost)s a year") % {"cost": euro_span(profile.running_cost_shown)})
    if profile.months_to_start is not None:
        months = profile.months_to_start
        facts.append(
            ngettext("ready in %(months)s month", "ready in %(months)s months", months)
            % {"months": months}
        )
    if not facts:
        return ""
    return format_html(
        '<p class="kern-body kern-body--small card-facts">{}</p>',
        format_html_join("", "<span>{}</span>", ((fact,) for fact in facts)),
    )


def _escaped(value):
    """As the template engine escapes: safe strings (a search's marked passage) as they are."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


BADGE = '<li><span class="{}"><span class="kern-label">{}</span></span></li>'


@register.simple_tag(takes_context=True)
def programme_card(context, programme, heading_level=3, hide_county=False, editors_reason=False):
    """A programme as a card in a list: county, title, summary (or the search's snippet),
    the facts of a recognised best practice, badges and the Merken button. Written with
    f-strings and escape(), as format_html would, but at a fraction of its cost per card."""
    shared = _shared(context["request"])
    best = programme.profile
    profile = best if best is not None and best.is_recognised else None
    parts = ['<article class="kern-card kern-card--interactive"><div class="kern-card__container">']
    parts.append('<header class="kern-card__header">')
    if not hide_county:
        county = programme.county
        parts.append(
            f'<p class="kern-preline">{escape(county.name)} · {escape(county.state.name)}</p>'
        )
    before, after = shared["address"]
    level = int(heading_level)
    parts.append(
        f'<h{level} class="kern-title"><a class="kern-link kern-link--stretched" '
        f'href="{escape(before + quote(programme.slug) + after)}">{escape(programme.title)}</a>'
        f"</h{level}></header>"
    )
    if programme.image and programme.image_alt:
        parts.append(
            format_html(
                '<img class="card-image" src="{}" alt="{}" loading="lazy">',
                reverse("programmes:image", args=[programme.slug]),
                programme.image_alt,
            )
        )
    parts.append('<div class="kern-card__body">')
    text = getattr(programme, "snippet", None) or programme.summary
    parts.append(f'<p class="kern-body">{_escaped(text)}</p>')
    if profile is not None:
        parts.append(_card_facts(profile))
    if editors_reason and best is not None and best.editors_statement:
        parts.append(
            f'<p class="kern-body editors-reason"><strong>{shared["reason"]}</strong> '
            f"{escape(best.editors_statement)}</p>"
        )
    badges = []
    if profile is not None:
        badges.append(BADGE.format("kern-badge kern-badge--success", shared["best"]))
    status = shared["statuses"].get(programme.status) or escape(capfirst(programme.status))
    badges.append(BADGE.format("kern-badge kern-badge--info", status))
    badges.extend(
        BADGE.format("kern-badge badge-field", escape(field.name))
        for field in programme.fields_of_action.all()
    )
    parts.append(
        f'<ul class="badges" aria-label="{shared["characteristics"]}">{"".join(badges)}</ul>'
    )
    parts.append(merken_button(context, programme))
    parts.append("</div></div></article>")
    return mark_safe("".join(str(part) for part in parts))  # every part escaped above
