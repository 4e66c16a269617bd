"""Saving a report's answers and its use of funds (one entry point for the pages and the
API): locked row, editor and state checked, stale version refused (409), everything
validated by followup.domain.content and followup.domain.funding."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, InvalidInput
from common.text import clean_text
from dossiers.domain.editing import part_fingerprint
from followup.domain import content as content_domain
from followup.domain import funding as funding_domain
from followup.domain.types import report_type
from followup.enums import ReportState
from followup.models import Report, ReportHistory
from followup.rules import can_check_report, is_report_editor

REASON_MAX = 5000


def overdue_message(report):
    return _(
        "La date limite de réponse à la demande de compléments (%(date)s) est dépassée : le "
        "rapport ne peut plus être modifié ni remis. Demandez à l'ARS de prolonger ce délai."
    ) % {"date": date_format(report.return_due_date, "j F Y")}


def extend_due_date(report, user, due_date, reason, *, now=None):
    """An ARS instructor gives a returned report a later due date (even once passed), with
    a reason kept in its history (as dossiers.domain.due_dates for the dossier)."""
    now = now or timezone.now()
    if not can_check_report.test(user, report):
        raise Forbidden(_("Seuls les instructeurs de l'ARS prolongent le délai de réponse."))
    errors = {}
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date.strip()) if due_date.strip() else None
        except ValueError:
            errors["due_date"] = [_("Date attendue au format AAAA-MM-JJ.")]
            due_date = None
    if due_date is None and "due_date" not in errors:
        errors["due_date"] = [_("Indiquez la nouvelle date limite de réponse.")]
    reason = clean_text(reason).strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Indiquez le motif de la prolongation.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Ce texte dépasse %(n)d caractères.") % {"n": REASON_MAX}]
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if locked.state != ReportState.RETURNED:
            raise Conflict(
                _(
                    "Le délai ne se prolonge que pour un rapport « À compléter » (il est « %(state)s »)."
                )
                % {"state": locked.get_state_display()}
            )
        if due_date is not None:
            if due_date < timezone.localdate(now):
                errors["due_date"] = [_("La nouvelle date limite ne peut pas être passée.")]
            elif locked.return_due_date and due_date <= locked.return_due_date:
                errors["due_date"] = [
                    _("La nouvelle date limite doit être postérieure au %(date)s.")
                    % {"date": date_format(locked.return_due_date, "j F Y")}
                ]
        if errors:
            raise InvalidInput(_("Le délai ne peut pas être prolongé."), errors)
        locked.return_due_date = due_date
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["return_due_date", "version", "updated_at"])
        ReportHistory.objects.create(
            report=locked,
            transition="extend_due_date",
            from_state=locked.state,
            to_state=locked.state,
            by=user,
            at=now,
            comment=_("Délai de réponse prolongé jusqu'au %(date)s. Motif : %(reason)s")
            % {"date": date_format(due_date, "j F Y"), "reason": reason},
        )
    report.return_due_date, report.version = locked.return_due_date, locked.version
    return locked


def lock_for_edit(report, user, now=None):
    """The report, locked: Forbidden (403) for who may not write it, Conflict (409)
    when its state does not allow it."""
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("campaign", "filiere", "region")
        .get(pk=report.pk)
    )
    if not is_report_editor.test(user, locked):
        raise Forbidden(_("Vous ne pouvez pas modifier ce rapport."))
    if locked.completion_overdue(now):
        raise Conflict(overdue_message(locked))
    if not locked.is_editable:
        raise Conflict(
            _("Le rapport est « %(state)s » : il ne peut plus être modifié.")
            % {"state": locked.get_state_display()}
        )
    return locked


def section_fingerprint(report, section_key):
    """Short hash of a section's answers as a form showed them: a co-editor's save of
    another section does not block this one."""
    rtype = report_type(report.kind)
    if section_key == "funding":
        value = [funding_domain.use_document(use) for use in funding_domain.uses_of(report)]
    else:
        section = rtype.section(section_key)
        value = {f.key: content_domain.get_path(report.content, f.key) for f in section.fields}
    return part_fingerprint(value)


def update_report(
    report,
    user,
    *,
    content=None,
    funding=None,
    version=None,
    fingerprint=None,
    french=False,
    now=None,
):
    """Save the answers sent (`content`: its top-level keys replace the report's) and
    the use of funds (`funding`: rows by line). Returns the locked, saved report."""
    rtype = report_type(report.kind)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_for_edit(report, user, now)
        if version not in (None, "") and str(version) != str(locked.version):
            raise Conflict(
                _(
                    "Le rapport a été modifié entre-temps (version %(current)s, vous aviez la "
                    "version %(yours)s) : rechargez-le avant d'enregistrer."
                )
                % {"current": locked.version, "yours": version}
            )
        if fingerprint is not None:
            section_key, expected = fingerprint
            if section_fingerprint(locked, section_key) != expected:
                raise Conflict(
                    _(
                        "Cette étape a été modifiée par une autre personne pendant que vous la "
                        "modifiiez. Vos saisies sont conservées ci-dessous : rechargez la page "
                        "pour voir sa version, puis reportez vos changements."
                    )
                )
        errors = {}
        cleaned_content = cleaned_funding = None
        if content is not None:
            if not isinstance(content, dict):
                errors[rtype.content_name] = [_("Objet attendu.")]
            else:
                try:
                    cleaned_content = content_domain.clean_content(
                        rtype, content_domain.merge(rtype, locked.content, content)
                    )
                except InvalidInput as exc:
                    errors.update(exc.errors)
        if funding is not None:
            if not rtype.has_funding:
                errors["funding"] = [_("Ce rapport n'a pas d'utilisation des crédits.")]
            else:
                try:
                    cleaned_funding = funding_domain.clean_funding(locked, funding, french=french)
                except InvalidInput as exc:
                    errors.update(exc.errors)
        if errors:
            raise InvalidInput(_("Certaines informations sont invalides."), errors)
        fields = ["version", "updated_at"]
        if cleaned_content is not None:
            locked.content = cleaned_content
            fields.append("content")
        if cleaned_funding is not None:
            funding_domain.save_funding(locked, cleaned_funding)
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=fields)
    report.version, report.content, report.updated_at = (
        locked.version,
        locked.content,
        locked.updated_at,
    )
    return locked
