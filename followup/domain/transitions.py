"""Firing a report's transition: the only way its state changes (docs/decisions/0015).

Mirrors dossiers.domain.transitions: the row is locked, role, state, deadline (Paris
time, the filière's extension), inputs and completeness are checked, the arrow of
followup.workflow runs, the history entry and — at each remittance — the snapshot are
written, and the e-mails leave once the transaction commits."""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.limits import TEXT_MAX, too_long_message
from common.text import clean_text
from dossiers.domain.serialize import content_hash
from dossiers.domain.transitions import _sync
from followup.domain import notifications
from followup.domain.editing import overdue_message
from followup.domain.serialize import check_report, report_document
from followup.models import Report, ReportHistory, ReportSnapshot
from followup.workflow import TRANSITIONS, permission


def available_transitions(report, user):
    """[(name, label)] this user may fire now."""
    names = {t.name for t in report.get_available_user_state_transitions(user)}
    return [(name, TRANSITIONS[name].label) for name in TRANSITIONS if name in names]


def blocked_reason(report, name, now=None):
    """Why `name` cannot be fired now (its state, the deadline), or None."""
    spec = TRANSITIONS[name]
    if not getattr(report, name)._django_fsm.has_transition(report.state):
        return _("Action « %(label)s » impossible : le rapport est « %(state)s ».") % {
            "label": spec.label,
            "state": report.get_state_display(),
        }
    if name == "submit" and not report.is_open(now):
        if report.campaign.state != "published":
            return _(
                "La campagne de suivi n'est plus ouverte : le rapport ne peut plus être remis."
            )
        return _(
            "La date limite de remise (%(date)s) est dépassée : demandez à l'ARS une "
            "prolongation pour remettre le rapport."
        ) % {"date": date_format(timezone.localtime(report.deadline()), "j F Y à H:i")}
    if name == "resubmit" and report.completion_overdue(now):
        return overdue_message(report)
    return None


def _check_inputs(spec, comment, due_date, now):
    errors = {}
    if spec.needs_comment and not comment.strip():
        errors["comment"] = [_("Indiquez le message destiné au porteur.")]
    elif len(comment) > TEXT_MAX:
        errors["comment"] = [too_long_message(TEXT_MAX)]
    if spec.needs_due_date:
        if due_date is None:
            errors["due_date"] = [_("Indiquez la date limite de réponse.")]
        elif due_date < timezone.localdate(now):
            errors["due_date"] = [_("La date limite de réponse ne peut pas être passée.")]
    if errors:
        raise InvalidInput(_("La demande est incomplète."), errors)


def _parse_due_date(due_date):
    if isinstance(due_date, dt.datetime):
        return due_date.date()
    if isinstance(due_date, str):
        try:
            return dt.date.fromisoformat(due_date.strip()) if due_date.strip() else None
        except ValueError:
            message = _("Date attendue au format AAAA-MM-JJ.")
            raise InvalidInput(_("La demande est incomplète."), {"due_date": [message]}) from None
    return due_date


def take_snapshot(report, user, name, now):
    content = report_document(report)
    number = (report.snapshots.aggregate(n=Max("number"))["n"] or 0) + 1
    return ReportSnapshot.objects.create(
        report=report,
        number=number,
        transition=name,
        created_at=now,
        created_by=user,
        content=content,
        content_sha256=content_hash(content),
    )


def transition(report, name, user, *, comment="", due_date=None, version=None, now=None):
    """Fire `name` on `report` as `user`; return the updated report. NotFound (unknown),
    Forbidden (role), Conflict (state, deadline, concurrent change), InvalidInput
    (missing comment or due date, incomplete report)."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise NotFound(_("Action inconnue : « %(name)s ».") % {"name": str(name)[:50]})
    now = now or timezone.now()
    comment = clean_text(comment) if isinstance(comment, str) else ""
    due_date = _parse_due_date(due_date)
    try:
        with transaction.atomic():
            locked = (
                Report.objects.select_for_update(of=("self",))
                .select_related("campaign", "filiere", "region")
                .get(pk=report.pk)
            )
            if not permission(name)(locked, user):
                raise Forbidden(_("Vous n'avez pas le droit d'effectuer cette action."))
            from_state = locked.state
            locked.transition_now = now
            if getattr(report, "state", from_state) != from_state or (
                version not in (None, "") and str(version) != str(locked.version)
            ):
                raise Conflict(
                    _(
                        "Action « %(label)s » impossible : le rapport vient d'être modifié par "
                        "une autre personne et il est désormais « %(state)s ». Rechargez la page."
                    )
                    % {"label": spec.label, "state": locked.get_state_display()}
                )
            blocked = blocked_reason(locked, name, now=now)
            if blocked:
                raise Conflict(blocked)
            _check_inputs(spec, comment, due_date, now)
            if name in {"submit", "resubmit"}:
                problems = check_report(locked)
                if problems:
                    raise InvalidInput(
                        _("Le rapport est incomplet : corrigez les points signalés."),
                        {"problems": [p.as_dict() for p in problems]},
                    )
            method = getattr(locked, name)
            if name == "return_for_completion":
                method(comment.strip(), due_date)
            else:
                method()
            locked.version += 1
            locked.updated_at = now
            locked.save()
            ReportHistory.objects.create(
                report=locked,
                transition=name,
                from_state=from_state,
                to_state=locked.state,
                by=user,
                at=now,
                comment=comment.strip(),
            )
            if name in {"submit", "resubmit"}:
                take_snapshot(locked, user, name, now)
            report_id, message = locked.pk, comment.strip()
            transaction.on_commit(
                lambda: notifications.notify_transition(report_id, name, user.pk, message)
            )
    except ConcurrentTransition:
        raise Conflict(
            _("Le rapport vient d'être modifié par une autre personne : rechargez la page.")
        ) from None
    _sync(report, locked)
    return locked
