"""Individual deadline extensions: a late filière may still submit
when the ARS grants it an extension, recorded with its reason and author."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from campaign.enums import CampaignState
from campaign.models import DeadlineExtension, Filiere
from campaign.rules import can_grant_extension
from common.errors import Conflict, Forbidden, InvalidInput
from common.text import clean_text

PARIS = ZoneInfo("Europe/Paris")
END_OF_DAY = dt.time(23, 59, 59)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _invalid(field, message):
    return InvalidInput(message, {field: [message]})


def parse_until(value):
    """The new deadline as an aware datetime.

    A date (or "YYYY-MM-DD") means the end of that day, 23:59:59 Europe/Paris;
    a datetime string must carry its UTC offset; a naive datetime object (from
    a form) is read in Europe/Paris."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_ONLY.fullmatch(text):
                value = dt.date.fromisoformat(text)
            else:
                value = dt.datetime.fromisoformat(text)
                if value.tzinfo is None:
                    raise _invalid(
                        "until",
                        _(
                            "Indiquez le décalage horaire de la nouvelle date limite "
                            "(exemple : 2025-03-14T23:59:59+01:00), ou une date seule."
                        ),
                    )
        except ValueError:
            raise _invalid(
                "until",
                _("Date attendue au format AAAA-MM-JJ, ou date et heure ISO 8601 avec décalage."),
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=PARIS)
    elif isinstance(value, dt.date):
        value = dt.datetime.combine(value, END_OF_DAY, tzinfo=PARIS)
    else:
        raise _invalid("until", _("Indiquez la nouvelle date limite."))
    # Far-away years cannot be converted to UTC (and make no sense for a call).
    if not 2000 <= value.year <= 2999:
        raise _invalid("until", _("La nouvelle date limite n'est pas plausible."))
    return value


def _resolve_filiere(campaign, filiere):
    if isinstance(filiere, Filiere):
        found = campaign.filieres.filter(pk=filiere.pk).first()
    elif isinstance(filiere, str) and filiere.strip():
        found = campaign.filieres.filter(slug=filiere.strip()).first()
    else:
        raise _invalid("filiere", _("Indiquez la filière."))
    if found is None:
        raise _invalid("filiere", _("Cette filière ne participe pas à cette campagne."))
    return found


def grant_extension(campaign, user, filiere, until, reason):
    """Grant `filiere` (a Filiere of this campaign, or its slug) a later deadline.

    ARS instructors and administrators only (Forbidden otherwise). The
    new deadline must be after the campaign's deadline and a reason is required
    (InvalidInput, keyed by field). Returns the DeadlineExtension."""

    if not can_grant_extension.test(user, campaign):
        raise Forbidden(
            _("Seuls les instructeurs de l'ARS peuvent accorder une prolongation du délai.")
        )
    if campaign.state != CampaignState.PUBLISHED:
        raise Conflict(
            _("Une prolongation ne s'accorde que pendant l'appel (campagne publiée, non close).")
        )
    errors = {}
    resolved = None
    try:
        resolved = _resolve_filiere(campaign, filiere)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        until = parse_until(until)
    except InvalidInput as exc:
        errors.update(exc.errors)
        until = None
    if until is not None and until <= campaign.deadline:
        errors["until"] = [
            _(
                "La nouvelle date limite doit être postérieure à la date limite de la campagne (%(deadline)s)."
            )
            % {"deadline": campaign.deadline.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")}
        ]
    reason = clean_text(reason).strip() if isinstance(reason, str) else ""
    if not reason:
        errors["reason"] = [_("Indiquez le motif de la prolongation.")]
    elif len(reason) > 5000:
        errors["reason"] = [_("Ce texte dépasse %(n)d caractères.") % {"n": 5000}]
    if errors:
        raise InvalidInput(_("La prolongation ne peut pas être accordée."), errors)
    return DeadlineExtension.objects.create(
        campaign=campaign, filiere=resolved, until=until, reason=reason, granted_by=user
    )
