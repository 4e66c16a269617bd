"""Firing a dossier's transition: the only way its state changes (docs/architecture.md).

`transition()` locks the row, checks role, state, deadline and inputs, runs the
arrow of dossiers.workflow, writes the history and the snapshot, and sends the
e-mails once the transaction commits."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.limits import TEXT_MAX, too_long_message
from common.text import clean_text
from dossiers.domain import completeness, notifications, snapshots
from dossiers.domain.due_dates import overdue_message
from dossiers.models import Dossier, HistoryEntry
from dossiers.workflow import DIRECT_TRANSITIONS, TRANSITIONS, permission


def available_transitions(dossier, user):
    """Transitions this user may fire now on this dossier: [(name, label)]."""
    names = {
        t.name
        for t in dossier.get_available_user_state_transitions(user)
        if t.name in DIRECT_TRANSITIONS
    }
    return [(name, TRANSITIONS[name].label) for name in TRANSITIONS if name in names]


def _check_inputs(spec, dossier, comment, due_date, now):
    errors = {}
    if spec.needs_comment and not (comment or "").strip():
        errors["comment"] = [_("Indiquez le message destiné au porteur.")]
    elif len(comment or "") > TEXT_MAX:
        errors["comment"] = [too_long_message(TEXT_MAX)]
    if spec.needs_due_date:
        if due_date is None:
            errors["due_date"] = [_("Indiquez la date limite de réponse.")]
        elif due_date < timezone.localdate(now):
            errors["due_date"] = [_("La date limite de réponse ne peut pas être passée.")]
    if errors:
        raise InvalidInput(_("La demande est incomplète."), errors)


def blocked_reason(dossier, name, now=None):
    """Why transition `name` cannot be fired on this dossier now (its state, the
    deadline), or None: the confirmation page says it before the user tries, in the
    words transition() uses when it refuses."""
    spec = TRANSITIONS[name]
    if not getattr(dossier, name)._django_fsm.has_transition(dossier.state):
        return _("Action « %(label)s » impossible : le dossier est « %(state)s ».") % {
            "label": spec.label,
            "state": dossier.get_state_display(),
        }
    if name == "submit" and not dossier.campaign.is_open_for(dossier.filiere, now=now):
        return _("La date limite de dépôt est dépassée : le dossier ne peut plus être déposé.")
    if name == "resubmit" and dossier.completion_overdue(now):
        return overdue_message(dossier)
    return None


def transition(dossier, name, user, *, comment="", due_date=None, now=None, **kwargs):
    """Fire transition `name` on `dossier` as `user`; return the updated dossier.

    Raises NotFound (unknown transition), Forbidden (role),
    Conflict (wrong state, deadline passed, concurrent change) or
    InvalidInput (missing comment/due date, incomplete dossier).

    Optimistic concurrency: the transition is refused (Conflict) when the
    state of the `dossier` instance passed in is no longer the state in the
    database, or when `version=` (optional keyword: the dossier version the
    user's page showed) is stale. Two people firing transitions on the same
    dossier at the same moment: the row lock serialises them and the second
    one is refused with a clear message, even if its arrow would exist from
    the new state. On success the caller's instance is brought up to date."""

    spec = TRANSITIONS.get(name)
    if spec is None:
        raise NotFound(_("Transition inconnue : « %(name)s ».") % {"name": name})
    now = now or timezone.now()
    comment = clean_text(comment) if isinstance(comment, str) else ""
    if isinstance(due_date, dt.datetime):
        due_date = due_date.date()
    elif isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date.strip()) if due_date.strip() else None
        except ValueError:
            raise InvalidInput(
                _("La demande est incomplète."),
                {"due_date": [_("Date attendue au format AAAA-MM-JJ.")]},
            ) from None
    try:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update()
                .select_related("campaign", "filiere")
                .get(pk=dossier.pk)
            )
            method = getattr(locked, name)
            if not permission(name)(locked, user):
                raise Forbidden(_("Vous n'avez pas le droit d'effectuer cette action."))
            from_state = locked.state
            locked.transition_now = now
            expected_version = kwargs.get("version")
            if getattr(dossier, "state", from_state) != from_state or (
                expected_version not in (None, "") and str(expected_version) != str(locked.version)
            ):
                # The caller acted on a state that is no longer current: someone else
                # changed the dossier meanwhile (e.g. two instructors clicking at the
                # same moment). Refused even if the arrow exists from the new state.
                raise Conflict(
                    _(
                        "Action « %(label)s » impossible : le dossier vient d'être modifié "
                        "par une autre personne et il est désormais « %(state)s ». "
                        "Rechargez la page."
                    )
                    % {"label": spec.label, "state": locked.get_state_display()}
                )
            blocked = blocked_reason(locked, name, now=now)
            if blocked:
                raise Conflict(blocked)
            _check_inputs(spec, locked, comment, due_date, now)
            if name in {"submit", "resubmit"}:
                problems = completeness.check_dossier(locked)
                if problems:
                    raise InvalidInput(
                        _("Le dossier est incomplet : corrigez les points signalés."),
                        {"problems": [p.as_dict() for p in problems]},
                    )
            if name == "return_for_completion":
                method(comment.strip(), due_date)
            elif name == "decide":
                outcome = kwargs["outcome"]
                recognised = kwargs.get("recognised")
                method(
                    outcome, comment, outcome != "rejected" if recognised is None else recognised
                )
            else:
                method()
            locked.version += 1
            locked.updated_at = now
            locked.save()
            HistoryEntry.objects.create(
                dossier=locked,
                transition=name,
                from_state=from_state,
                to_state=locked.state,
                by=user,
                at=now,
                comment=(comment or "").strip(),
                is_public=spec.is_public,
            )
            if name in {"submit", "resubmit"}:
                snapshots.take_snapshot(locked, user, name, now=now)
            history_comment = (comment or "").strip()
            transaction.on_commit(
                lambda: notifications.notify_transition(
                    locked.pk, name, from_state, user.pk, comment=history_comment
                )
            )
    except ConcurrentTransition:
        raise Conflict(
            _("Le dossier vient d'être modifié par une autre personne : rechargez la page.")
        ) from None
    _sync(dossier, locked)
    return locked


def _sync(stale, fresh):
    """Bring the caller's instance up to date, so that it may fire the next transition."""
    if stale is fresh or not isinstance(stale, type(fresh)):
        return
    for field in type(fresh)._meta.concrete_fields:
        # Through __dict__: the state field is protected against direct assignment.
        stale.__dict__[field.attname] = getattr(fresh, field.attname)
    stale._update_initial_state()
