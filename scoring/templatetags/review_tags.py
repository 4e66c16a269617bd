"""Display helpers of the review pages."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dossiers.enums import DossierState, Opinion
from dossiers.templatetags.dossier_display import state_badge_css

register = template.Library()

OPINION_BADGES = {
    Opinion.FAVOURABLE: "fr-badge--success",
    Opinion.RESERVED: "fr-badge--warning",
    Opinion.UNFAVOURABLE: "fr-badge--error",
}


@register.simple_tag(takes_context=True)
def state_badge(context, state):
    """Same colours as dossier_display's state_badge (one scheme on every page); built
    once per state and page (the dashboard shows hundreds)."""
    badges = context.render_context.setdefault("review_tags.state_badge", {})
    badge = badges.get(state)
    if badge is None:
        try:
            label = DossierState(state).label
        except ValueError:
            label = state
        badge = badges[state] = format_html(
            '<span class="fr-badge fr-badge--sm {}">{}</span>', state_badge_css(state), label
        )
    return badge


_PK = 2147483647  # a placeholder id, replaced in the URL reversed once per page


@register.simple_tag(takes_context=True)
def workspace_url(context, pk):
    """{% url "dossiers:detail" pk %} (the dossier page, with its instruction panels),
    reversed once per page (hundreds of rows)."""
    pattern = context.render_context.get("review_tags.workspace_url")
    if pattern is None:
        pattern = reverse("dossiers:detail", args=[_PK]).replace(str(_PK), "{}")
        context.render_context["review_tags.workspace_url"] = pattern
    return pattern.format(int(pk))


@register.simple_tag(takes_context=True)
def own_review_status(context, review):
    """The "my review" cell of the dashboard: set aside, submitted on (date), draft or
    to do."""
    if review and review.excluded_at:
        return _("Écartée (conflit d'intérêts)")
    if review and review.submitted_at:
        when = date_format(timezone.localtime(review.submitted_at).date(), "j F Y")
        return _("Soumise le %(date)s") % {"date": when}
    labels = context.render_context.setdefault("review_tags.own_review_status", {})
    key = "draft" if review else "todo"
    if key not in labels:
        labels[key] = (
            format_html(
                '<span class="fr-badge fr-badge--sm fr-badge--info">{}</span>', _("Brouillon")
            )
            if review
            else format_html(
                '<span class="fr-badge fr-badge--sm fr-badge--warning">{}</span>', _("À faire")
            )
        )
    return labels[key]


@register.simple_tag
def opinion_badge(opinion):
    if not opinion:
        return format_html('<span class="fr-text--sm">{}</span>', "—")
    return format_html(
        '<span class="fr-badge fr-badge--sm fr-badge--no-icon {}">{}</span>',
        OPINION_BADGES.get(opinion, ""),
        Opinion(opinion).label,
    )


@register.filter
def dec(value, places=2):
    """French decimal: 3,12 (None: —)."""
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    text = format(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP), "f")
    return text.replace(".", ",")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
