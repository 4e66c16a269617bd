"""Display helpers of the review pages."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.template import defaultfilters
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.dates import long_date
from common.escaping import escape as _escape
from common.money import format_eur
from dossiers.enums import DossierState, Opinion
from dossiers.templatetags.dossier_display import state_badge_css

register = template.Library()


def html_rows(row_format, rows):
    """format_html_join("", row_format, rows): every value escaped unless safe."""
    return SafeString("".join(row_format.format(*map(_escape, cells)) for cells in rows))


def html_join(separator, values):
    """format_html_join(separator, "{}", ((value,) for value in values))."""
    return SafeString(separator.join(map(_escape, values)))


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
    labels = context.render_context.setdefault("review_tags.own_review_status", {})
    if review and review.excluded_at:
        if "excluded" not in labels:
            labels["excluded"] = _("Écartée (conflit d'intérêts)")
        return labels["excluded"]
    if review and review.submitted_at:
        # Formatted once per day shown (a reviewer's list has hundreds of rows).
        if "timezone" not in labels:
            labels["timezone"] = timezone.get_current_timezone()
        day = timezone.localtime(review.submitted_at, labels["timezone"]).date()
        if day not in labels:
            if "submitted" not in labels:
                labels["submitted"] = _("Soumise le %(date)s")
            labels[day] = labels["submitted"] % {"date": long_date(day)}
        return labels[day]
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


RANKING_ROW = (
    "\n    <tr>"
    '\n      <td class="app-money">{}</td>'
    '\n      <td class="app-col-title"><a href="{}">{}</a></td>'
    "\n      <td>{}</td>"
    "\n      <td>{}</td>"
    '\n      <td class="app-money"><strong>{}</strong></td>'
    '\n      <td class="app-money">{}</td>'
    '\n      <td class="app-money">{}</td>'
    '\n      <td class="app-money">{}</td>'
    '\n      <td class="app-money">{}</td>'
    '\n      <td class="app-money">{}</td>'
    "\n    </tr>\n  "
)


@register.simple_tag(takes_context=True)
def ranking_rows(context, rows):
    """The rows of the ranking's table (scoring/ranking.html), built in Python with the
    markup the template's loop gave (decision 0034's approach: ten cells of hundreds of
    rows); every value escaped by format_html."""

    def cells(row):
        stats = row.stats
        return (
            row.rank or "—",
            workspace_url(context, row.dossier.pk),
            row.dossier.display_name,
            html_join(", ", row.territory_codes) or "—",
            state_badge(context, row.dossier.state),
            dec(stats.mean),
            format_html("{} – {}", dec(stats.low), dec(stats.high)) if stats.count else "—",
            dec(stats.stddev),
            stats.count,
            format_eur(row.requested_recurring),
            format_eur(row.requested_one_off),
        )

    return html_rows(RANKING_ROW, (cells(row) for row in rows))


ASSIGNMENT_ROW = (
    "\n        <tr>"
    '\n          <td><a href="{}">{}</a></td>'
    "\n          <td>{}</td>"
    "\n          <td>{}</td>"
    "\n        </tr>\n      "
)


@register.simple_tag(takes_context=True)
def assignment_rows(context, assignments):
    """The rows of the dashboard's "my assigned dossiers" table (a CARESP reviewer may
    hold hundreds), built in Python with the markup of the template's former loop."""
    return html_rows(
        ASSIGNMENT_ROW,
        (
            (
                workspace_url(context, assignment.dossier.pk),
                assignment.dossier.display_name,
                state_badge(context, assignment.dossier.state),
                own_review_status(context, review),
            )
            for assignment, review in assignments
        ),
    )


MISSING_REVIEW_ROW = (
    "\n          <tr>"
    '\n            <td><a href="{}">{}</a></td>'
    "\n            <td>{}</td>"
    '\n            <td class="app-money">{} / {}</td>'
    "\n            <td>{}</td>"
    "\n          </tr>\n        "
)


@register.simple_tag(takes_context=True)
def missing_review_rows(context, missing_reviews):
    """The rows of the dashboard's "missing reviews" table (ARS), built in Python with
    the markup of the template's former loop."""
    no_reviewer = format_html(
        '<span class="fr-badge fr-badge--warning fr-badge--sm">{}</span>',
        _("Aucun relecteur désigné"),
    )
    return html_rows(
        MISSING_REVIEW_ROW,
        (
            (
                workspace_url(context, dossier.pk),
                dossier.display_name,
                state_badge(context, dossier.state),
                n_done,
                n_assigned,
                html_join(", ", pending) if n_assigned else no_reviewer,
            )
            for dossier, pending, n_assigned, n_done in missing_reviews
        ),
    )


DOSSIER_ROW = (
    "\n      <tr>"
    '\n        <td><a href="{}">{}</a></td>'
    "\n        <td>{}</td>"
    "\n        <td>{}</td>"
    '\n        <td class="app-money">{} / {}</td>'
    "\n      </tr>\n    "
)


@register.simple_tag(takes_context=True)
def dashboard_dossier_rows(context, dossiers):
    """The rows of the dashboard's list of dossiers (scoring.queries.ListedDossier),
    built in Python with the markup of the template's former loop."""
    return html_rows(
        DOSSIER_ROW,
        (
            (
                workspace_url(context, dossier.pk),
                dossier.display_name,
                html_join(", ", dossier.territory_codes) or "—",
                state_badge(context, dossier.state),
                dossier.n_submitted,
                dossier.n_assigned,
            )
            for dossier in dossiers
        ),
    )


RETURNED_ROW = (
    "\n          <tr>"
    '\n            <td><a href="{}">{}</a></td>'
    "\n            <td>{}</td>"
    '\n            <td class="app-nowrap">{}{}</td>'
    "\n            <td>{}</td>"
    "\n          </tr>\n        "
)


@register.simple_tag(takes_context=True)
def returned_rows(context, returned):
    """The rows of the dashboard's "returned for completion" table (ARS), built in Python
    with the markup of the template's former loop (its `date` filter as long_date, its
    `truncatewords` filter called as it was)."""
    late_badge = format_html(
        ' <span class="fr-badge fr-badge--error fr-badge--sm">{}</span>', _("En retard")
    )

    def due(day):
        return long_date(day) if day else ""

    return html_rows(
        RETURNED_ROW,
        (
            (
                workspace_url(context, dossier.pk),
                dossier.display_name,
                state_badge(context, dossier.returned_from) if dossier.returned_from else "",
                due(dossier.return_due_date),
                late_badge if late else "",
                defaultfilters.truncatewords(dossier.return_message, 25),
            )
            for dossier, late in returned
        ),
    )


TERRITORY_ROW = (
    "\n        <tr>"
    '\n          <th scope="row">{}</th>'
    "\n          {}"
    '\n          <td class="app-money"><strong>{}</strong></td>'
    "\n        </tr>\n      "
)
COUNT_CELL = '<td class="app-money">{}</td>'
ZERO_CELL = '<td class="app-money"><span class="fr-text--light">0</span></td>'


@register.simple_tag
def territory_rows(rows, states):
    """The rows of the dashboard's table of dossiers per territory and state (ARS): per
    territory (None: the dossiers without one), its counts per state and its total;
    built in Python with the markup of the template's former loop."""
    # As {% translate %}: the translations are not escaped.
    if not rows:
        none = _("Aucun territoire n'est défini pour cette campagne.")
        return SafeString(f'\n        <tr><td colspan="{len(states) + 2}">{none}</td></tr>\n      ')
    without = SafeString(_("Sans territoire renseigné"))

    def cells(counts):
        return SafeString(
            "".join(COUNT_CELL.format(_escape(n)) if n else ZERO_CELL for n in counts)
        )

    return html_rows(
        TERRITORY_ROW,
        (
            (
                format_html("{} — {}", territory.code, territory.name) if territory else without,
                cells(counts),
                total,
            )
            for territory, counts, total in rows
        ),
    )


# The review panel of the dossier page (scoring/_panel.html, decision 0065): a review's
# scores and opinions, the other reviewers' reviews and the matrix of scores, built in
# Python with the markup of scoring/_review.html and of the panel's former loops (kept as
# the reference of tests/scoring/test_panel_markup.py).


def _score(value):
    """`{% if value is not None %}{{ value }}{% else %}—{% endif %}` of an integer score."""
    if value is None:
        return "—"
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return _escape(formats.localize(value))


def _text_br(value):
    """`{{ value|linebreaksbr }}` (autoescaped)."""
    return defaultfilters.linebreaksbr(value, autoescape=True)


_BADGES = {}


def _badges():
    """opinion_badge of every opinion (and of none), built once per language."""
    language = get_language()
    badges = _BADGES.get(language)
    if badges is None:
        badges = {opinion: opinion_badge(opinion) for opinion in Opinion.values}
        badges[""] = opinion_badge("")
        _BADGES[language] = badges
    return badges


def _opinion(badges, opinion):
    badge = badges.get(opinion) if opinion else badges[""]
    return badge if badge is not None else opinion_badge(opinion)


def _review_html(review, compact, badges):
    parts = [
        "\n<p>",
        _("Avis global :"),
        " ",
        _opinion(badges, review.opinion),
        "</p>\n",
    ]
    if review.comment:
        parts += ["<p>", _text_br(review.comment), "</p>"]
    scores = list(review.scores.all())
    if compact:
        parts.append("\n\n  \n  <ul>\n  ")
        for score in scores:
            if score.comment:
                parts += [
                    "<li><strong>",
                    _escape(score.criterion.label),
                    "</strong> (",
                    _score(score.score),
                    ") : ",
                    _escape(score.comment),
                    "</li>",
                ]
        parts.append("\n  </ul>\n")
    else:
        parts += [
            '\n\n<div class="fr-table fr-table--no-caption app-table--cards"><table>\n  <caption>',
            _("Notes"),
            '</caption>\n  <thead><tr><th scope="col">',
            _("Critère"),
            '</th><th scope="col" class="app-money">',
            _("Note"),
            '</th><th scope="col">',
            _("Commentaire"),
            "</th></tr></thead>\n  <tbody>\n  ",
        ]
        for score in scores:
            parts += [
                "\n    <tr><td>",
                _escape(score.criterion.label),
                '</td><td class="app-money">',
                _score(score.score),
                "</td><td>",
                _text_br(score.comment),
                "</td></tr>\n  ",
            ]
        if not scores:
            parts += ['\n    <tr><td colspan="3">', _("Aucune note."), "</td></tr>\n  "]
        parts.append("\n  </tbody>\n</table></div>\n")
    parts.append("\n")
    opinions = list(review.project_opinions.all())
    if opinions:
        parts += [
            '\n  <p class="fr-mb-1w"><strong>',
            _("Avis par fiche projet"),
            "</strong></p>\n  <ul>\n  ",
        ]
        untitled = None
        for item in opinions:
            title = item.project_title
            if not title:
                untitled = untitled or _("Fiche projet")
            parts += [
                "<li>",
                _escape(title) if title else untitled,
                " : ",
                _opinion(badges, item.opinion),
            ]
            if item.comment:
                parts += [" — ", _escape(item.comment)]
            parts.append("</li>")
        parts.append("\n  </ul>\n")
    parts.append("\n")
    return "".join(parts)


@register.simple_tag
def review_detail(review, compact=False):
    """`{% include "scoring/_review.html" with review=review %}` (`compact`: the other
    reviewers' reviews, whose scores are in the matrix: only their comments)."""
    return SafeString(_review_html(review, compact, _badges()))


@register.simple_tag
def review_sections(reviews):
    """The loop over the other reviewers' reviews of scoring/_panel.html: a section each,
    titled by its reviewer and date (flagged when set aside), their review compact."""
    badges = _badges()
    excluded = None
    parts = []
    for review in reviews:
        title = _("Évaluation de %(who)s (soumise le %(date)s)") % {
            "who": _escape(review.reviewer),
            "date": _escape(long_date(timezone.localtime(review.submitted_at).date())),
        }
        parts += ['\n    <section class="fr-mb-3w">\n      <h4 class="fr-h6">', title]
        if review.excluded_at:
            excluded = excluded or _("écartée : conflit d'intérêts")
            parts += [' <span class="fr-badge fr-badge--sm fr-badge--error">', excluded, "</span>"]
        parts += ["</h4>\n      ", _review_html(review, True, badges), "\n    </section>\n  "]
    return SafeString("".join(parts))


@register.simple_tag
def score_matrix_rows(matrix):
    """The rows of the panel's matrix of scores ([(CriterionStats, [score or None for
    each review])]), as the template's former loop gave them."""
    parts = []
    for stats, cells in matrix:
        parts += [
            '\n      <tr>\n        <th scope="row">',
            _escape(stats.criterion.label),
            '</th>\n        <td class="app-money">',
            _escape(dec(stats.criterion.weight)),
            "</td>\n        ",
        ]
        for cell in cells:
            parts += [
                '<td class="app-money">',
                _score(cell.score if cell is not None else None),
                "</td>",
            ]
        parts += [
            '\n        <td class="app-money"><strong>',
            _escape(dec(stats.mean)),
            '</strong></td>\n        <td class="app-money">',
            f"{_score(stats.low)} – {_score(stats.high)}" if stats.count else "—",
            "</td>\n      </tr>\n    ",
        ]
    return SafeString("".join(parts))


@register.simple_tag(takes_context=True)
def reviewer_rows(context, rows, dossier, assign_form, is_ars):
    """The rows of the panel's table of reviewers ([(assignment, review or None)]), as
    the template's former loop gave them: the state of each one's review and, for those
    who may assign, the form that withdraws a reviewer whose review is not submitted."""
    actions = bool(assign_form) or bool(is_ars)
    labels = {}
    parts = []
    for assignment, review in rows:
        assigned_by = assignment.assigned_by
        parts += [
            "\n      <tr>\n        <td>",
            _escape(assignment.reviewer),
            "</td>\n        <td>",
            _escape(assigned_by) if assigned_by else "—",
            ", ",
            _escape(long_date(timezone.localtime(assignment.at).date())),
            "</td>\n        <td>",
        ]
        if review and review.submitted_at:
            day = long_date(timezone.localtime(review.submitted_at).date())
            parts.append(_("Soumise le %(date)s") % {"date": _escape(day)})
        elif review:
            if "draft" not in labels:
                labels["draft"] = _("Brouillon")
            parts += ['<span class="fr-badge fr-badge--sm fr-badge--info">', labels["draft"]]
            parts.append("</span>")
        else:
            if "todo" not in labels:
                labels["todo"] = _("À faire")
            parts += ['<span class="fr-badge fr-badge--sm fr-badge--warning">', labels["todo"]]
            parts.append("</span>")
        parts.append("</td>\n        ")
        if actions:
            parts.append("<td>\n          ")
            if assign_form and not (review.submitted_at if review else None):
                if "withdraw" not in labels:
                    labels["withdraw"] = (
                        _("Retirer cette attribution ? Un brouillon éventuel sera supprimé."),
                        _("Retirer"),
                        CsrfTokenNode().render(context),
                    )
                confirm, withdraw, csrf = labels["withdraw"]
                url = reverse("scoring:unassign", args=[dossier.pk, assignment.reviewer_id])
                parts += [
                    '\n            <form method="post" action="',
                    _escape(url),
                    '">',
                    csrf,
                    '\n              <button type="submit" class="fr-btn fr-btn--tertiary '
                    'fr-btn--sm" data-confirm="',
                    confirm,
                    '">',
                    withdraw,
                    "</button>\n            </form>\n          ",
                ]
            parts.append("\n        </td>")
        parts.append("\n      </tr>\n    ")
    return SafeString("".join(parts))
