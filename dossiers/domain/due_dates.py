"""The due date of a completion request (design brief §3: "returned … with a message and
a due date") is enforced: once it has passed, the returned dossier can be neither edited
nor resubmitted, with a clear French message, until an ARS instructor extends it
(`extend_due_date`: new date, reason, a public history entry, the filière told)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, InvalidInput
from common.text import clean_text
from dossiers.domain.notifications import dossier_url, editor_emails, send
from dossiers.enums import DossierState
from dossiers.models import Dossier, HistoryEntry
from dossiers.rules import TRANSITION_PERMISSIONS

REASON_MAX = 5000


def overdue_message(dossier):
    return _(
        "La date limite de réponse à la demande de compléments (%(date)s) est dépassée : "
        "le dossier ne peut plus être modifié ni redéposé. Demandez à l'ARS de prolonger "
        "ce délai."
    ) % {"date": date_format(dossier.return_due_date, "j F Y")}


def check_not_overdue(dossier, now=None):
    """Conflict (409) when a returned dossier's due date has passed."""
    if dossier.completion_overdue(now):
        raise Conflict(overdue_message(dossier))


def _parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    message = _("Date attendue au format AAAA-MM-JJ.")
    raise InvalidInput(message, {"due_date": [message]})


def extend_due_date(dossier, user, due_date, reason, *, now=None):
    """An ARS instructor gives a returned dossier a later due date (even once passed).

    The new date is not in the past and is later than the current one; a reason is
    required. Recorded in the dossier's public history; the filière is e-mailed."""
    now = now or timezone.now()
    if not TRANSITION_PERMISSIONS["return_for_completion"].test(user, dossier):
        raise Forbidden(_("Seuls les instructeurs de l'ARS prolongent le délai de réponse."))
    errors = {}
    try:
        due_date = _parse_date(due_date)
    except InvalidInput as exc:
        errors.update(exc.errors)
        due_date = None
    reason = clean_text(reason).strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Indiquez le motif de la prolongation.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Ce texte dépasse %(n)d caractères.") % {"n": REASON_MAX}]
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update()
            .select_related("campaign", "filiere")
            .get(pk=dossier.pk)
        )
        if locked.state != DossierState.RETURNED:
            raise Conflict(
                _(
                    "Le délai ne se prolonge que pour un dossier « À compléter » (il est « %(state)s »)."
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
        previous = locked.return_due_date
        locked.return_due_date = due_date
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["return_due_date", "version", "updated_at"])
        comment = _("Délai de réponse prolongé jusqu'au %(date)s. Motif : %(reason)s") % {
            "date": date_format(due_date, "j F Y"),
            "reason": reason,
        }
        HistoryEntry.objects.create(
            dossier=locked,
            transition="extend_due_date",
            from_state=locked.state,
            to_state=locked.state,
            by=user,
            at=now,
            comment=comment,
            is_public=True,
        )
        dossier_id = locked.pk
        transaction.on_commit(lambda: _notify(dossier_id, previous, reason))
    dossier.return_due_date = locked.return_due_date
    dossier.version = locked.version
    return locked


def _notify(dossier_id, previous, reason):
    dossier = Dossier.objects.select_related("campaign__region", "filiere").get(pk=dossier_id)
    context = {
        "dossier": dossier,
        "previous": previous,
        "reason": reason,
        "url": dossier_url(dossier),
    }
    send("emails/due_date_extended.txt", context, editor_emails(dossier.filiere))
