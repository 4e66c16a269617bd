"""Display helpers for dossier pages: state badges, choice labels, French sizes and numbers,
and the attachments block used by templates/dossiers/_attachments.html."""

import datetime as dt
import html
import re
from decimal import Decimal, InvalidOperation

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from common.escaping import escape as _esc
from common.money import format_eur
from common.once import FIELD as ONCE
from common.once import new_key
from dossiers import enums
from dossiers.domain.participation import participation
from dossiers.forms_projects import AttachmentForm
from dossiers.rules import can_edit_dossier

register = template.Library()

CHOICES = {
    "state": enums.DossierState,
    "outcome": enums.Outcome,
    "nature": enums.LineNature,
    "category": enums.LineCategory,
    "mission": enums.Mission,
    "mission_status": enums.MissionStatus,
    "legal_status": enums.LegalStatus,
    "member_type": enums.MemberType,
    "member_role": enums.MemberRole,
    "opinion": enums.Opinion,
    "section": enums.Section,
}

# The one colour scheme of dossier states, on every page (dossier_badges and the review
# pages' review_tags use it too).
STATE_BADGES = {
    enums.DossierState.DRAFT: "",
    enums.DossierState.SUBMITTED: "fr-badge--info",
    enums.DossierState.CARESP_REVIEW: "fr-badge--purple-glycine",
    enums.DossierState.ARS_ANALYSIS: "fr-badge--blue-ecume",
    enums.DossierState.RETURNED: "fr-badge--warning",
    enums.DossierState.DECIDED: "fr-badge--success",
    enums.DossierState.WITHDRAWN: "",
}


def state_badge_css(state, outcome=""):
    """DSFR badge modifiers of a dossier state (a rejected decision shows as an error)."""
    css = STATE_BADGES.get(state, "")
    if state == enums.DossierState.DECIDED and outcome == enums.Outcome.REJECTED:
        css = "fr-badge--error"
    return f"fr-badge--no-icon {css}".strip()


MISSION_BADGES = {
    enums.MissionStatus.COVERED: "fr-badge--success",
    enums.MissionStatus.PARTIAL: "fr-badge--warning",
    enums.MissionStatus.MISSING: "fr-badge--error",
}


@register.filter
def choice_label(value, kind):
    """{{ line.nature|choice_label:"nature" }} → "Reconductible" (unknown values unchanged)."""
    if value in (None, ""):
        return ""
    choices = CHOICES.get(kind)
    try:
        return choices(value).label if choices else value
    except ValueError:
        return value


@register.simple_tag
def state_badge(state, outcome=""):
    """A DSFR badge for a dossier state (decided: coloured by outcome)."""
    css = state_badge_css(state, outcome)
    label = choice_label(state, "state")
    if state == enums.DossierState.DECIDED and outcome:
        label = f"{label} — {choice_label(outcome, 'outcome')}"
    return format_html('<p class="fr-badge fr-badge--sm {}">{}</p>', css, label)


@register.simple_tag
def mission_badge(status):
    if not status:
        return format_html('<p class="fr-badge fr-badge--sm">{}</p>', _("Non renseignée"))
    return format_html(
        '<p class="fr-badge fr-badge--sm {}">{}</p>',
        MISSION_BADGES.get(status, ""),
        choice_label(status, "mission_status"),
    )


def _decimal_fr(value, places):
    text = f"{value:,.{places}f}".replace(",", "\u202f").replace(".", ",")
    return text


@register.filter
def filesize_fr(size):
    """12 octets, 3,4 Ko, 1,5 Mo (binary multiples, French decimal comma)."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return _("%(n)d octets") % {"n": size}
    if size < 1024 * 1024:
        return _("%(n)s Ko") % {"n": _decimal_fr(size / 1024, 1)}
    return _("%(n)s Mo") % {"n": _decimal_fr(size / (1024 * 1024), 1)}


@register.filter
def number_fr(value):
    """560000 → "560 000"; "3500.5" → "3 500,5"; empty → "—"."""
    if value in (None, ""):
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    places = max(0, -number.as_tuple().exponent) if number.is_finite() else 0
    return _decimal_fr(number, places)


@register.filter
def as_date(value):
    """An ISO date string from a document ("2025-09-01") → a date, for |date:"d/m/Y"."""
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def yes_no(value):
    if value is True:
        return _("Oui")
    if value is False:
        return _("Non")
    return "—"


def _project_id(project):
    if project in (None, ""):
        return None
    if isinstance(project, dict):
        return project.get("id")
    return getattr(project, "pk", project)


class _AttachmentsPage:
    """What every attachments block of one page shares: the dossier's current files by
    part, whether this person may change them, the page's address. A dossier page has
    forty-four blocks: these were worked out once per block."""

    def __init__(self, context, dossier):
        request = context.get("request")
        self.parts = _current_attachments(dossier)
        self.can_edit = _can_edit(context, dossier)
        self.path = request.get_full_path() if request else ""
        self.labels = {}  # {section: its label}

    def label(self, section):
        label = self.labels.get(section)
        if label is None:
            label = self.labels[section] = str(choice_label(section, "section"))
        return label


def _attachments_page(context, dossier):
    """The _AttachmentsPage of this dossier for the template being rendered (its render
    context lasts one rendering): the four parts and forty sheets of detail_document.html
    share one."""
    key = (_AttachmentsPage, dossier.pk)
    page = context.render_context.get(key)
    if page is None:
        page = context.render_context[key] = _AttachmentsPage(context, dossier)
    return page


# Placeholders of the upload form rendered once per page (_upload_form_html).
_FORM_ID, _FORM_SECTION, _FORM_PROJECT, _FORM_NEXT, _FORM_ONCE = (
    "appformid0",
    "appformsection0",
    "appformproject0",
    "appformnext0",
    "appformonce0",
)


_upload_forms = {}


def _upload_form_html(context, anchor, section, project_id, next_url, host_form=""):
    """The crispy markup of the AttachmentForm of one part. A dossier page shows one per
    project sheet (forty on a large dossier): crispy renders the form once per process
    and language, with placeholders then replaced by each part's ids and values (escaped as Django would).
    `host_form`: the id of the page's form the fields belong to (form="…"): without
    JavaScript, sending the file also saves what was typed in that form (issue 11)."""
    # Kept for the process, per language: the form holds no value of its own (the
    # placeholders above stand for them) and its labels only change with the language.
    key = (get_language(), project_id is None, host_form)
    rendered = _upload_forms.get(key)
    if rendered is None:
        form = AttachmentForm(
            initial={
                "section": _FORM_SECTION,
                "project": None if project_id is None else _FORM_PROJECT,
                "next": _FORM_NEXT,
            },
            auto_id=f"id_{_FORM_ID}_%s",
        )
        form.initial[ONCE] = _FORM_ONCE
        if host_form:
            for field in form.fields.values():
                field.widget.attrs["form"] = host_form
        rendered = _upload_forms[key] = str(as_crispy_form(form))
    html = (
        rendered.replace(_FORM_ID, anchor.replace("-", "_"))
        .replace(_FORM_SECTION, escape(section))
        .replace(_FORM_NEXT, escape(next_url))
        # Each part's form its own once-only key (common.once): one upload per part.
        .replace(_FORM_ONCE, new_key())
    )
    if project_id is not None:
        html = html.replace(_FORM_PROJECT, escape(str(project_id)))
    return mark_safe(html)  # noqa: S308 - crispy's markup, every value above escaped


def _can_edit(context, dossier):
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and can_edit_dossier.test(user, dossier))


def _current_attachments(dossier):
    """{(section, project id or None): [attachments]} of the dossier's current files, in
    the order of `dossier.attachments` (prefetched by the pages: no query)."""
    parts = {}
    for a in dossier.attachments.all():
        if a.removed_at is None:
            project_id = a.project_id if a.section == enums.Section.PROJECTS else None
            parts.setdefault((a.section, project_id), []).append(a)
    return parts


@register.simple_tag(takes_context=True)
def attachments_block(context, dossier, section, project=None, host_form="", page=None):
    """What _attachments.html shows: this part's current attachments and, for an editor
    while the dossier is editable, the upload form. Uses the prefetched
    `dossier.attachments` when there is one (no query per part). `page`: what the
    blocks of one page share, worked out once (_AttachmentsPage)."""

    project_id = _project_id(project)
    if page is None:
        page = _attachments_page(context, dossier)
    items = page.parts.get((section, project_id if section == enums.Section.PROJECTS else None), [])
    can_edit = page.can_edit
    anchor = f"pieces-jointes-{section}" + (f"-{project_id}" if project_id else "")
    next_url = page.path + "#" + anchor
    form_html = None
    if can_edit:
        form_html = _upload_form_html(context, anchor, section, project_id, next_url, host_form)
    return {
        "items": items,
        "can_edit": can_edit,
        "form_html": form_html,
        "anchor": anchor,
        "label": page.label(section),
        "next": next_url,
        "host_form": host_form,
    }


# ---------------------------------------------------------------- attachments block
# A dossier page shows one attachments block per part and per project sheet (forty-four
# on a large dossier): as includes of _attachments.html they were a third of the lead's
# page. attachments_html renders the same markup as that template did (which now only
# calls it); tests/dossiers/test_attachments_block.py compares both.

_ATTACHMENT_LABELS = (
    "Pièces jointes",
    "Fichier",
    "Taille",
    "Ajouté le",
    "Actions",
    "Télécharger",
    "Supprimer",
    "Aucune pièce jointe.",
    "Envoyer le fichier",
    "Ce que vous avez saisi ci-dessus est conservé.",
)
_translated_by_language = {}


def _translated(texts):
    """{text: its translation in the active language, escaped}: translated once per
    process and language, not once per row (the catalogues do not change at run time)."""
    key = (get_language(), texts)
    labels = _translated_by_language.get(key)
    if labels is None:
        labels = _translated_by_language[key] = {text: _esc(_(text)) for text in texts}
    return labels


def _csrf_input(context):
    """{% csrf_token %}"""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_esc(token)}">'


def _attachment_row(dossier, attachment, att, t, csrf):
    name = _esc(attachment.name)
    download = reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk])
    uploaded = date_filter(template_localtime(attachment.uploaded_at), "d/m/Y H:i")
    actions = (
        '<li><a class="fr-btn fr-btn--tertiary fr-icon-download-line fr-btn--icon-left" '
        f'href="{_esc(download)}">{t["Télécharger"]}<span class="fr-sr-only"> {name}</span></a></li>'
    )
    if att["can_edit"]:
        delete = reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk])
        confirm = _("Supprimer la pièce jointe « %(name)s » ?") % {"name": name}
        actions += (
            f'<li><form method="post" action="{_esc(delete)}" data-inline>{csrf}'
            f'<input type="hidden" name="next" value="{_esc(att["next"])}">'
            '<button type="submit" class="fr-btn fr-btn--tertiary fr-icon-delete-line '
            f'fr-btn--icon-left" data-confirm="{confirm}">{t["Supprimer"]}'
            f'<span class="fr-sr-only"> {name}</span></button></form></li>'
        )
    return (
        f"<tr><td>{name}</td>"
        f'<td class="app-nowrap">{_esc(filesize_fr(attachment.size))}</td>'
        f'<td class="app-nowrap">{_esc(uploaded)}</td>'
        '<td><ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm '
        f'fr-btns-group--icon-left">{actions}</ul></td></tr>'
    )


@register.simple_tag(takes_context=True)
def attachments_html(context, dossier, section, project=None, host_form="", level=None, page=None):
    """The attachments block of one part of a dossier (see _attachments.html): its files,
    and for an editor while the dossier is editable, the upload form. `page`: what the
    blocks of one page share (_AttachmentsPage), when the caller has it."""
    att = attachments_block(context, dossier, section, project, host_form, page)
    t = _translated(_ATTACHMENT_LABELS)
    label = _esc(att["label"])
    heading = "h2" if str(level) == "2" else "h3"
    title = t["Pièces jointes"] + ("" if project else f" — {label}")
    out = [
        f'<div class="fr-mt-4w app-attachments" id="{_esc(att["anchor"])}" data-inline-region>',
        f'<{heading} class="fr-h6">{title}</{heading}>',
    ]
    csrf = _csrf_input(context) if att["can_edit"] else ""
    if att["items"]:
        rows = "".join(_attachment_row(dossier, a, att, t, csrf) for a in att["items"])
        out.append(
            '<div class="fr-table fr-table--sm fr-table--no-caption app-table--cards"><table>'
            f"<caption>{t['Pièces jointes']} — {label}</caption>"
            f'<thead><tr><th scope="col">{t["Fichier"]}</th><th scope="col">{t["Taille"]}</th>'
            f'<th scope="col">{t["Ajouté le"]}</th><th scope="col">{t["Actions"]}</th></tr>'
            f"</thead><tbody>{rows}</tbody></table></div>"
        )
    else:
        out.append(f'<p class="fr-text--sm">{t["Aucune pièce jointe."]}</p>')
    if att["can_edit"]:
        upload = _esc(reverse("dossiers:attachment_upload", args=[dossier.pk]))
        button = (
            '<button type="submit" {}class="fr-btn fr-btn--secondary fr-icon-upload-line '
            f'fr-btn--icon-left">{t["Envoyer le fichier"]}</button>'
        )
        if att["host_form"]:
            attrs = (
                f'form="{_esc(att["host_form"])}" name="upload_attachment" value="1" '
                f'data-inline-action="{upload}" '
            )
            out.append(
                f'<div class="app-no-print">{att["form_html"]}{button.format(attrs)}'
                f'<p class="fr-hint-text fr-mt-1w">'
                f"{t['Ce que vous avez saisi ci-dessus est conservé.']}</p></div>"
            )
        else:
            out.append(
                f'<form method="post" action="{upload}" enctype="multipart/form-data" '
                f'class="app-no-print" data-inline>{csrf}{att["form_html"]}'
                f"{button.format('')}</form>"
            )
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


# ---------------------------------------------------------------- project sheet tables
# A dossier page shows up to forty project sheets of several lines each: as template
# nodes, their two tables were about 3,300 nodes and a third of the page's time. They are
# rendered here as plain strings, with the same output as the template they replaced:
# every value escaped as Django escapes it, dates and numbers formatted by the same
# filters (tests/dossiers/test_project_tables.py renders both and compares them).

_LABELS = (
    "Fiche projet",
    "Objectifs",
    "Actions",
    "Calendrier",
    "du",
    "au",
    "Structure pilote",
    "Partenaires",
    "Indicateurs",
    "Missions concernées",
    "Éléments AFOM liés",
    "Demande de financement",
    "Libellé",
    "Nature",
    "Catégorie",
    "Demandé",
    "Première année",
    "FINESS bénéficiaire",
    "Proposé",
    "Avis",
    "Accordé",
    "ETP",
    "Aucune ligne de financement.",
    "Total reconductible",
    "Total ponctuel",
)
_TABLE_CHOICES = ("nature", "category", "opinion")


def _labels():
    """The tables' labels ({text: label}) and choices ({kind: {value: label}}) in the
    active language, escaped, built once per process and language (_translated)."""
    key = (get_language(), _TABLE_CHOICES)
    labels = _translated_by_language.get(key)
    if labels is None:
        labels = _translated_by_language[key] = {
            **_translated(_LABELS),
            **{
                kind: {value: _esc(label) for value, label in CHOICES[kind].choices}
                for kind in _TABLE_CHOICES
            },
        }
    return labels


def _choice(value, kind, t):
    """{{ value|choice_label:kind }}"""
    if value in (None, ""):
        return ""
    label = t[kind].get(value) if isinstance(value, str) else None
    return _esc(value) if label is None else label


def _shown(value):
    """{{ value }}"""
    if type(value) is str:  # most values: localize() returns them as they are
        return html.escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() makes of it
    return _esc(localize(value))


def _text(value):
    """{{ value|default:"—" }}"""
    return _shown(value) if value else "—"


_NEWLINES = re.compile(r"\r\n|\r")


def _paragraphs(value):
    """{{ value|default:"—"|linebreaksbr }} (normalize_newlines without its lazy wrapper)."""
    return html.escape(_NEWLINES.sub("\n", str(value or "—"))).replace("\n", "<br>")


def _day(value):
    """{{ value|as_date|date:"d/m/Y" }}"""
    day = as_date(value)
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _list_or_dash(items):
    if not items:
        return "—"
    return "<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in items) + "</ul>"


def _sheet_table(project, t):
    start, end = project.get("start"), project.get("end")
    calendar = f"{t['du']} {_day(start)}" if start else ""
    calendar += " "
    if end:
        calendar += f"{t['au']} {_day(end)}"
    if not start and not end:
        calendar += "—"
    rows = (
        (t["Objectifs"], _paragraphs(project.get("objectives"))),
        (t["Actions"], _paragraphs(project.get("actions"))),
        (t["Calendrier"], calendar),
        (t["Structure pilote"], _text(project.get("pilot"))),
        (t["Partenaires"], _paragraphs(project.get("partners"))),
        (t["Indicateurs"], _paragraphs(project.get("indicators"))),
        (t["Missions concernées"], _list_or_dash(project.get("mission_labels"))),
        (t["Éléments AFOM liés"], _list_or_dash(project.get("swot_items"))),
    )
    body = "".join(f'<tr><th scope="row">{th}</th><td>{td}</td></tr>' for th, td in rows)
    return (
        '<div class="fr-table fr-table--no-caption"><table>'
        f"<caption>{t['Fiche projet']} {_esc(project.get('title') or '')}</caption>"
        f"<tbody>{body}</tbody></table></div>"
    )


_MONEY_STR = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
_THIN, _NBSP = "\u202f", "\u00a0"
_FRENCH = str.maketrans({",": _THIN, ".": ","})


def _money(value):
    """{{ value|eur }}. The document's amounts are strings of common.money.money_str
    ("52000.50"): grouped here as format_eur groups them, nothing to escape."""
    if type(value) is Decimal and value.as_tuple()[::2] == (0, -2):
        # The sheets' sums, read with two decimals, not negative (format_eur shows -0.00
        # as 0,00): grouped by format.
        return f'<td class="app-money">{format(value, ",f").translate(_FRENCH)}{_NBSP}€</td>'
    if type(value) is str and _MONEY_STR.fullmatch(value):
        integer, cents = value.split(".")
        head = len(integer) % 3 or 3
        groups = [integer[:head]] + [integer[i : i + 3] for i in range(head, len(integer), 3)]
        return f'<td class="app-money">{_THIN.join(groups)},{cents}{_NBSP}€</td>'
    return f'<td class="app-money">{_esc(format_eur(value))}</td>'


def _line_row(line, show_proposal, show_grant, t):
    category = _choice(line.get("category"), "category", t)
    if line.get("category") == "staff":
        if line.get("etp"):
            category += (
                f'<br><span class="fr-text--xs">{_esc(number_fr(line["etp"]))} {t["ETP"]}</span>'
            )
        if line.get("staff_profile"):
            category += f'<br><span class="fr-text--xs">{_esc(line["staff_profile"])}</span>'
    cells = (
        f"<td>{_text(line.get('label'))}</td>"
        f"<td>{_choice(line.get('nature'), 'nature', t)}</td>"
        f"<td>{category}</td>"
        f"{_money(line.get('amount'))}"
        f"<td>{_text(line.get('first_year'))}</td>"
        f"<td>{_text(line.get('beneficiary_finess'))}</td>"
    )
    if show_proposal:
        opinion = _choice(line.get("proposal_opinion"), "opinion", t)
        cells += f"{_money(line.get('proposed'))}<td>{opinion or '—'}</td>"
    if show_grant:
        cells += _money(line.get("granted"))
    return f"<tr>{cells}</tr>"


def _total_row(label, sums, kind, show_proposal, show_grant):
    cells = (
        f'<th scope="row" colspan="3">{label}</th>'
        f"{_money(sums.get(f'requested_{kind}'))}"
        '<td colspan="2"></td>'
    )
    if show_proposal:
        cells += f"{_money(sums.get(f'proposed_{kind}'))}<td></td>"
    if show_grant:
        cells += _money(sums.get(f"granted_{kind}"))
    return f"<tr>{cells}</tr>"


def _lines_table(project, show_proposal, show_grant, t):
    headers = (
        f'<th scope="col">{t["Libellé"]}</th>'
        f'<th scope="col">{t["Nature"]}</th>'
        f'<th scope="col">{t["Catégorie"]}</th>'
        f'<th scope="col" class="app-money">{t["Demandé"]}</th>'
        f'<th scope="col">{t["Première année"]}</th>'
        f'<th scope="col">{t["FINESS bénéficiaire"]}</th>'
    )
    if show_proposal:
        headers += (
            f'<th scope="col" class="app-money">{t["Proposé"]}</th><th scope="col">{t["Avis"]}</th>'
        )
    if show_grant:
        headers += f'<th scope="col" class="app-money">{t["Accordé"]}</th>'
    lines = project.get("lines") or []
    if lines:
        body = "".join(_line_row(line, show_proposal, show_grant, t) for line in lines)
    else:
        body = f'<tr><td colspan="9">{t["Aucune ligne de financement."]}</td></tr>'
    sums = project.get("sums") or {}
    foot = _total_row(t["Total reconductible"], sums, "recurring", show_proposal, show_grant)
    foot += _total_row(t["Total ponctuel"], sums, "one_off", show_proposal, show_grant)
    return (
        '<div class="fr-table app-table--cards"><table>'
        f"<caption>{t['Demande de financement']}</caption>"
        f"<thead><tr>{headers}</tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot>"
        "</table></div>"
    )


@register.simple_tag
def project_tables(project, show_proposal=False, show_grant=False):
    """The two tables of a project sheet on the dossier page (its content, its lines with
    their totals): `project` is a sheet of the dossier document (dossier_document, with
    the `mission_labels` and `sums` of the page's presentation)."""
    t = _labels()
    html_text = _sheet_table(project, t) + _lines_table(project, show_proposal, show_grant, t)
    return mark_safe(html_text)  # noqa: S308 - every value escaped above (_esc, _text)


# ---------------------------------------------------------------- project sheets
# The loop of detail_document.html over the sheets (its heading, its two tables, its
# attachments), forty on a large dossier: as template nodes the loop itself was a tenth
# of the page. Same output as the loop it replaced (tests/dossiers/test_sheets_loop.py
# renders both and compares them).

_SHEET_LABELS = ("Fiche", "Aucune fiche projet.")


@register.simple_tag(takes_context=True)
def project_sheets(context, dossier, projects, show_proposal=False, show_grant=False, live=True):
    """Every project sheet of the dossier document: its heading, project_tables, and its
    attachments (live: the current files, attachments_html; else the snapshot's files,
    deposited_files)."""
    if not projects:
        return mark_safe(f"\n    <p>{_translated(_SHEET_LABELS)['Aucune fiche projet.']}</p>\n  ")
    t = _labels()
    fiche = _translated(_SHEET_LABELS)["Fiche"]
    untitled = _("sans intitulé")
    page = _attachments_page(context, dossier) if live else None
    out = []
    for project in projects:
        priority = project.get("priority")
        number = f"n° {_shown(priority)}" if priority else ""
        title = project.get("title")
        title = _shown(title) if title else untitled
        if live:
            attachments = attachments_html(context, dossier, "projects", project, page=page)
        else:
            attachments = deposited_files(dossier, project.get("attachment_list"))
        out.append(
            f'\n    <article class="fr-mt-4w app-project" id="fiche-{_shown(project.get("id"))}">'
            f"\n      <h3>{fiche} {number} — {title}</h3>"
            f"\n      {_sheet_table(project, t)}{_lines_table(project, show_proposal, show_grant, t)}"
            f"\n      {attachments}\n    </article>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


# ---------------------------------------------------------------- document sections
# The identity sheet, diagnostic, SWOT and totals of detail_document.html (the dossier
# page and a deposit's page): as template nodes they were about a thousand nodes per
# page (rows, choice labels, includes of _actors.html), a sixth of the dossier page.
# Same output as the template did, character for character (layout included):
# tests/dossiers/test_document_sections.py renders the former template and these tags
# on hostile and missing values and compares them. Values are read as the template read
# them: a missing key (or a key of something that is not a mapping) shows as "".

SWOT_TITLES = (
    ("strengths", "Forces"),
    ("weaknesses", "Faiblesses"),
    ("opportunities", "Opportunités"),
    ("threats", "Menaces"),
)
_SECTION_LABELS = (
    "Fiche d'identité",
    "Nom de la filière",
    "Communes ou EPCI",
    "Territoire couvert",
    "Structure porteuse",
    "FINESS de la structure porteuse",
    "Adresse postale de la structure porteuse",
    "Représentant légal",
    "Coordonnateur",
    "Gouvernance",
    "Convention de partenariat signée",
    "Structures membres",
    "Type",
    "Nom",
    "FINESS",
    "SIRET",
    "Rôle",
    "Aucune structure membre.",
    "Acteurs que l’appel demande d’associer",
    "(membre)",
    "(absent)",
    "Tous les acteurs que l’appel demande d’associer figurent parmi les structures membres.",
    "Justification de leur absence :",
    "Chiffres clés du territoire",
    "Accès et temps de trajet :",
    "Couverture des missions (instruction du 21 juin 2023)",
    "Mission",
    "Couverture",
    "Commentaire",
    "Totaux du dossier",
    "Crédits",
    "Demandé",
    "Proposé",
    "Accordé",
    "Reconductibles (année pleine)",
    "Ponctuels non reconductibles",
)
_SECTION_CHOICES = ("legal_status", "member_type", "member_role", "mission_status")


def _section_labels():
    """The sections' labels ({text: label}, as {% translate %} gives them: a translated
    literal is safe, not escaped), choices ({kind: {value: label}}), figures, analyses,
    missions and SWOT titles ([(key, label)], escaped as {{ label }} escapes them) and
    mission badges in the active language, built once per process and language."""
    key = (get_language(), _SECTION_CHOICES)
    labels = _translated_by_language.get(key)
    if labels is None:
        labels = _translated_by_language[key] = {
            **{text: _(text) for text in _SECTION_LABELS},
            **{
                kind: {value: _esc(label) for value, label in CHOICES[kind].choices}
                for kind in _SECTION_CHOICES
            },
            "swot": [(key, _esc(_(title))) for key, title in SWOT_TITLES],
            "figures": [(key, _esc(label)) for key, label in enums.DIAGNOSTIC_FIGURES],
            "analyses": [(key, _esc(label)) for key, label in enums.DIAGNOSTIC_ANALYSES],
            "missions": [(code, _esc(label)) for code, label in enums.Mission.choices],
            "badges": {status: str(mission_badge(status)) for status in enums.MissionStatus.values},
            "no_badge": str(mission_badge("")),
        }
    return labels


def _at(mapping, key):
    """{{ mapping.key }}'s value: "" when missing (the engine's string_if_invalid)."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


def _breaks(value):
    """{{ value|linebreaksbr }}"""
    return html.escape(_NEWLINES.sub("\n", str(value))).replace("\n", "<br>")


def _label(value, kind, t):
    """{{ value|choice_label:kind }}"""
    if value in (None, ""):
        return ""
    label = t[kind].get(value) if isinstance(value, str) else None
    return _shown(choice_label(value, kind)) if label is None else label


def _identity_rows(identity, t):
    lead = _at(identity, "lead_structure")
    coordinator = _at(identity, "coordinator")
    row = '        <tr><th scope="row">{}</th><td>{}</td></tr>\n'
    rows = [row.format(t["Nom de la filière"], _text(_at(identity, "name")))]
    for key, label in (("communes", "Communes ou EPCI"), ("territory_notes", "Territoire couvert")):
        value = _at(identity, key)
        rows.append(row.format(t[label], _breaks(value)) if value else "        \n")
    status = _at(lead, "legal_status")
    status = f" ({_label(status, 'legal_status', t)})" if status else ""
    title = _at(lead, "representative_title")
    title = f", {_shown(title)}" if title else ""
    contact = "".join(
        f"<br>{_shown(value)}"
        for value in (_at(coordinator, "email"), _at(coordinator, "phone"))
        if value
    )
    for label, value in (
        ("Structure porteuse", _text(_at(lead, "name")) + status),
        ("FINESS de la structure porteuse", _text(_at(lead, "finess"))),
        ("Adresse postale de la structure porteuse", _paragraphs(_at(lead, "address"))),
        ("Représentant légal", _text(_at(lead, "representative_name")) + title),
        ("Coordonnateur", _text(_at(coordinator, "name")) + contact),
        ("Gouvernance", _paragraphs(_at(identity, "governance"))),
        ("Convention de partenariat signée", _esc(yes_no(_at(identity, "convention_signed")))),
    ):
        rows.append(row.format(t[label], value))
    return "".join(rows)


def _member_rows(members, t):
    if not members:
        return (
            f'\n          <tr><td colspan="5">{t["Aucune structure membre."]}</td></tr>\n        '
        )
    rows = []
    for member in members:
        cells = (
            _label(_at(member, "type"), "member_type", t),
            _shown(_at(member, "name")),
            _text(_at(member, "finess")),
            _text(_at(member, "siret")),
            _label(_at(member, "role"), "member_role", t) or "—",
        )
        rows.append(
            "\n          <tr>\n"
            + "".join(f"            <td>{cell}</td>\n" for cell in cells)
            + "          </tr>\n        "
        )
    return "".join(rows)


def _actors_html(actors, t):
    """The include of dossiers/_actors.html (still used as a template by the lead's pages)."""
    present = "".join(
        f'<li><p class="fr-badge fr-badge--success fr-badge--sm">{_shown(code)} '
        f'<span class="fr-sr-only">{t["(membre)"]}</span></p></li>'
        for code in actors.present
    )
    missing = "".join(
        f'<li><p class="fr-badge fr-badge--warning fr-badge--sm">{_shown(code)} '
        f'<span class="fr-sr-only">{t["(absent)"]}</span></p></li>'
        for code in actors.missing
    )
    if actors.missing:
        names = ", ".join(_esc(code) for code in actors.missing)
        text = ngettext(
            "Absent des structures membres : %(names)s.",
            "Absents des structures membres : %(names)s.",
            len(actors.missing),
        ) % {"names": names}
        summary = f'\n  <p class="fr-mb-1w">{text}</p>\n'
    else:
        everyone = t[
            "Tous les acteurs que l’appel demande d’associer figurent parmi les structures membres."
        ]
        summary = f'\n  <p class="fr-mb-1w">{everyone}</p>\n'
    return (
        "\n"
        '<ul class="fr-badges-group fr-mb-1w" '
        f'aria-label="{t["Acteurs que l’appel demande d’associer"]}">\n'
        f"  {present}\n  {missing}\n</ul>\n{summary}\n"
    )


@register.simple_tag
def identity_tables(doc):
    """The identity part of detail_document.html, between its heading and its
    attachments: the identity table, the members, the actors the call names."""
    t = _section_labels()
    identity = doc.get("identity")
    actors = participation(identity)
    caption = t["Fiche d'identité"]
    justification = ""
    if actors.missing:
        given = actors.justification or _("non renseignée")
        justification = (
            f"<p><strong>{t['Justification de leur absence :']}</strong> {_breaks(given)}</p>"
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        '<div class="fr-table fr-table--no-caption">\n'
        "    <table>\n"
        f"      <caption>{caption}</caption>\n"
        "      <tbody>\n"
        f"{_identity_rows(identity, t)}"
        "      </tbody>\n"
        "    </table>\n"
        "  </div>\n"
        '  <div class="fr-table app-table--cards">\n'
        "    <table>\n"
        f"      <caption>{t['Structures membres']}</caption>\n"
        "      <thead>\n"
        "        <tr>\n"
        f'          <th scope="col">{t["Type"]}</th>\n'
        f'          <th scope="col">{t["Nom"]}</th>\n'
        f'          <th scope="col">{t["FINESS"]}</th>\n'
        f'          <th scope="col">{t["SIRET"]}</th>\n'
        f'          <th scope="col">{t["Rôle"]}</th>\n'
        "        </tr>\n"
        "      </thead>\n"
        "      <tbody>\n"
        f"        {_member_rows(_at(identity, 'members'), t)}\n"
        "      </tbody>\n"
        "    </table>\n"
        "  </div>\n"
        f'  <h3 class="fr-h6">{t["Acteurs que l’appel demande d’associer"]}</h3>\n'
        f"  {_actors_html(actors, t)}\n"
        f"  {justification}"
    )


@register.simple_tag
def diagnostic_tables(doc):
    """The diagnostic part of detail_document.html, between its heading and its
    attachments: the figures, the analyses, the missions' coverage."""
    t = _section_labels()
    diagnostic = doc.get("diagnostic")
    diagnostic = diagnostic if isinstance(diagnostic, dict) else {}
    figures = "".join(
        "\n          <tr>"
        f'<th scope="row">{label}</th>'
        f'<td class="app-money">{_shown(number_fr(diagnostic.get(key)))}</td>'
        "</tr>\n        "
        for key, label in t["figures"]
    )
    notes = _at(diagnostic, "access_notes")
    notes = (
        f"<p><strong>{t['Accès et temps de trajet :']}</strong> {_breaks(notes)}</p>"
        if notes
        else ""
    )
    analyses = "".join(
        f"<p><strong>{label} :</strong> {_breaks(diagnostic[key])}</p>"
        for key, label in t["analyses"]
        if diagnostic.get(key)
    )
    statuses = {m.get("code"): m for m in diagnostic.get("missions") or []}
    missions = []
    for code, label in t["missions"]:
        mission = statuses.get(code) or {}
        status = mission.get("status", "")
        if not status:
            badge = t["no_badge"]
        else:
            badge = t["badges"].get(status) if isinstance(status, str) else None
            badge = badge or str(mission_badge(status))
        comment = mission.get("comment", "")
        missions.append(
            f"\n          <tr><td>{label}</td><td>{badge}</td>"
            f"<td>{_breaks(comment or '')}</td></tr>\n        "
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        '<div class="fr-table fr-table--no-caption">\n'
        "    <table>\n"
        f"      <caption>{t['Chiffres clés du territoire']}</caption>\n"
        "      <tbody>\n"
        f"        {figures}\n"
        "      </tbody>\n"
        "    </table>\n"
        "  </div>\n"
        f"  {notes}\n"
        f"  {analyses}\n"
        '  <div class="fr-table app-table--cards">\n'
        "    <table>\n"
        f"      <caption>{t['Couverture des missions (instruction du 21 juin 2023)']}</caption>\n"
        "      <thead>\n"
        f'        <tr><th scope="col">{t["Mission"]}</th><th scope="col">{t["Couverture"]}</th>'
        f'<th scope="col">{t["Commentaire"]}</th></tr>\n'
        "      </thead>\n"
        "      <tbody>\n"
        f"        {''.join(missions)}\n"
        "      </tbody>\n"
        "    </table>\n"
        "  </div>"
    )


@register.simple_tag
def swot_lists(doc):
    """The SWOT part of detail_document.html, between its heading and its attachments."""
    t = _section_labels()
    swot = doc.get("swot")
    swot = swot if isinstance(swot, dict) else {}
    out = []
    for key, title in t["swot"]:
        items = swot.get(key) or []
        if items:
            shown = "<ul>" + "".join(f"<li>{_shown(item)}</li>" for item in items) + "</ul>"
        else:
            shown = '<p class="fr-text--sm">—</p>'
        out.append(
            '\n      <div class="fr-col-12 fr-col-md-6">\n'
            f'        <h3 class="fr-h6">{title}</h3>\n'
            f"        {shown}\n"
            "      </div>\n    "
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<div class="fr-grid-row fr-grid-row--gutters">\n    {"".join(out)}\n  </div>'
    )


@register.simple_tag
def totals_table(totals, show_proposal=False, show_grant=False):
    """The dossier's totals table of detail_document.html (#totaux)."""
    t = _section_labels()
    proposal = '<th scope="col" class="app-money">{}</th>'.format(t["Proposé"])
    grant = '<th scope="col" class="app-money">{}</th>'.format(t["Accordé"])
    rows = []
    for label, kind in (
        ("Reconductibles (année pleine)", "recurring"),
        ("Ponctuels non reconductibles", "one_off"),
    ):
        proposed = _money(_at(totals, f"proposed_{kind}")) if show_proposal else ""
        granted = _money(_at(totals, f"granted_{kind}")) if show_grant else ""
        rows.append(
            "        <tr>\n"
            f'          <th scope="row">{t[label]}</th>\n'
            f"          {_money(_at(totals, f'requested_{kind}'))}\n"
            f"          {proposed}\n"
            f"          {granted}\n"
            "        </tr>\n"
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        '<div class="fr-table fr-mt-4w app-table--cards" id="totaux">\n'
        "    <table>\n"
        f"      <caption>{t['Totaux du dossier']}</caption>\n"
        "      <thead>\n"
        "        <tr>\n"
        f'          <th scope="col">{t["Crédits"]}</th>\n'
        f'          <th scope="col" class="app-money">{t["Demandé"]}</th>\n'
        f"          {proposal if show_proposal else ''}\n"
        f"          {grant if show_grant else ''}\n"
        "        </tr>\n"
        "      </thead>\n"
        "      <tbody>\n"
        f"{''.join(rows)}"
        "      </tbody>\n"
        "    </table>\n"
        "  </div>"
    )


# ---------------------------------------------------------------- deposits and history
# The rows of the dossier page's « Dépôts successifs » and « Historique » tables (a
# reverse URL, a date and three translated links per deposit; two choice labels, a date
# and a comment per change of state): same output as the loops of detail.html they
# replaced (tests/dossiers/test_page_rows.py renders both and compares them).

_DATE_TIME = "j F Y à H:i"


def _when(value):
    """{{ value|date:"j F Y à H:i" }}"""
    return _esc(date_filter(template_localtime(value), _DATE_TIME))


@register.simple_tag
def snapshot_rows(dossier, snapshots):
    """The rows of the deposits' table: number, date, author, links."""
    word = _("Word, .docx")
    out = []
    for snapshot in snapshots:
        number = _shown(snapshot.number)
        args = [dossier.pk, snapshot.number]
        view = _esc(reverse("dossiers:snapshot", args=args))
        receipt = _esc(reverse("dossiers:receipt", args=args))
        docx = _esc(reverse("outputs:receipt_docx", args=args))
        see = _("Voir le dépôt n° %(number)s") % {"number": number}
        receipt_text = _("Récépissé du dépôt n° %(number)s") % {"number": number}
        download = _("Télécharger le récépissé n° %(number)s") % {"number": number}
        out.append(
            "\n            <tr>\n"
            f"              <td>{number}</td>\n"
            f'              <td class="app-nowrap">{_when(snapshot.created_at)}</td>\n'
            f"              <td>{_text(snapshot.created_by)}</td>\n"
            f'              <td><a class="fr-link" href="{view}">{see}</a><br>'
            f'<a class="fr-link" href="{receipt}">{receipt_text}</a><br>'
            f'<a class="fr-link fr-link--download" href="{docx}" download>{download} '
            f'<span class="fr-link__detail">{word}</span></a></td>\n'
            "            </tr>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


@register.simple_tag
def history_rows(history, staff_view):
    """The rows of the history table; `by_label` of each entry set by the view."""
    internal = f' <p class="fr-badge fr-badge--sm">{_("interne")}</p>'
    out = []
    for entry in history:
        to_state = _shown(choice_label(entry.to_state, "state"))
        if staff_view and not entry.is_public:
            to_state += internal
        out.append(
            "\n            <tr>\n"
            f'              <td class="app-nowrap">{_when(entry.at)}</td>\n'
            f"              <td>{_shown(entry.by_label)}</td>\n"
            f"              <td>{_shown(choice_label(entry.from_state, 'state'))}</td>\n"
            f"              <td>{to_state}</td>\n"
            f"              <td>{_breaks(entry.comment)}</td>\n"
            "            </tr>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


# ---------------------------------------------------------------- a deposit's files
# A deposit's page lists the files of each part and sheet as the snapshot holds them
# (forty-four lists on a large dossier). dossiers/detail_files.html now only calls this;
# tests/dossiers/test_document_sections.py compares it with the former template.


@register.simple_tag
def deposited_files(dossier, files):
    """What {% include "dossiers/detail_files.html" with files=… %} showed: the files
    of one part listed in a snapshot ({"id", "name", "size", …}), read-only."""
    if files:
        items = "".join(
            "\n        <li><a href="
            f'"{_esc(reverse("dossiers:attachment_download", args=[dossier.pk, _at(f, "id")]))}">'
            f"{_shown(_at(f, 'name'))}</a> "
            f'<span class="fr-text--xs">({_esc(filesize_fr(_at(f, "size")))})</span></li>\n      '
            for f in files
        )
        shown = f"\n    <ul>\n      {items}\n    </ul>\n  "
    else:
        shown = f'\n    <p class="fr-text--sm">{_("Aucune pièce jointe.")}</p>\n  '
    return mark_safe(  # noqa: S308 - every value escaped above
        '\n\n<div class="fr-mt-2w">\n'
        f'  <h3 class="fr-h6">{_("Pièces jointes déposées")}</h3>\n'
        f"  {shown}\n</div>\n"
    )
