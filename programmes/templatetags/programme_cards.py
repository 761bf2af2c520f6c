"""Programme cards and the Merken button, written in Python rather than as included
templates: a list shows twenty of them, and this way a page of cards costs half the time."""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from portal.templatetags.portal_tags import euro_span, plain_number
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


@register.simple_tag(takes_context=True)
def merken_button(context, programme):
    """The "Merken" form of a card or a programme page (enhanced by static/js/merkliste.js).
    The address, the way back and the labels are the same for every card of a page: worked
    out once per request."""
    request = context["request"]
    shared = getattr(request, "_merken_button", None)
    if shared is None:
        shared = {
            "action": reverse("programmes:merkliste-change"),
            "back": request.get_full_path(),
            "labels": {saved: button_label(saved) for saved in (False, True)},
        }
        request._merken_button = shared
    saved = programme.pk in context.get("merkliste", ())
    return format_html(
        MERKEN_FORM,
        action=shared["action"],
        pk=programme.pk,
        back=shared["back"],
        action_name="entfernen" if saved else "merken",
        saved="true" if saved else "false",
        label=shared["labels"][saved],
        title=programme.title,
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


@register.simple_tag(takes_context=True)
def programme_card(context, programme, heading_level=3, hide_county=False, editors_reason=False):
    """A programme as a card in a list: county, title, summary (or the search's snippet),
    the facts of a recognised best practice, badges and the Merken button."""
    try:
        best = programme.best_practice
    except ObjectDoesNotExist:
        best = None
    profile = best if best is not None and best.is_recognised else None
    parts = ['<article class="kern-card kern-card--interactive"><div class="kern-card__container">']
    parts.append('<header class="kern-card__header">')
    if not hide_county:
        county = programme.county
        parts.append(
            format_html('<p class="kern-preline">{} · {}</p>', county.name, county.state.name)
        )
    parts.append(
        format_html(
            '<h{0} class="kern-title"><a class="kern-link kern-link--stretched" href="{1}">'
            "{2}</a></h{0}></header>",
            int(heading_level),
            programme.get_absolute_url(),
            programme.title,
        )
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
    parts.append(
        format_html(
            '<p class="kern-body">{}</p>', getattr(programme, "snippet", None) or programme.summary
        )
    )
    if profile is not None:
        parts.append(_card_facts(profile))
    if editors_reason and best is not None and best.editors_statement:
        parts.append(
            format_html(
                '<p class="kern-body editors-reason"><strong>{}</strong> {}</p>',
                gettext("Why the editors chose it:"),
                best.editors_statement,
            )
        )
    badges = []
    if profile is not None:
        badges.append(("kern-badge kern-badge--success", gettext("Best practice")))
    badges.append(("kern-badge kern-badge--info", capfirst(programme.get_status_display())))
    badges.extend(
        ("kern-badge badge-field", field.name) for field in programme.fields_of_action.all()
    )
    parts.append(
        format_html(
            '<ul class="badges" aria-label="{}">{}</ul>',
            gettext("Characteristics"),
            format_html_join(
                "",
                '<li><span class="{}"><span class="kern-label">{}</span></span></li>',
                badges,
            ),
        )
    )
    parts.append(merken_button(context, programme))
    parts.append("</div></div></article>")
    return mark_safe("".join(str(part) for part in parts))  # every part escaped above
