"""Envelopes and their amendments: an envelope's amount changes only here, with its
date and reason kept; lowering it below what is already granted is refused."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.domain.inputs import add_error, clean_text, parse_date, parse_money
from budget.enums import KINDS, ZERO
from budget.models import (
    Envelope,
    EnvelopeAmendment,
)
from budget.queries import granted_totals_of
from budget.rules import (
    can_amend_envelope,
)
from common.errors import Conflict, Forbidden, InvalidInput
from common.money import format_eur


def lock_envelopes(campaign_id):
    """Lock the campaign's envelopes, always in the same order: {kind: Envelope}."""
    return {
        envelope.kind: envelope
        for envelope in Envelope.objects.select_for_update()
        .filter(campaign_id=campaign_id)
        .order_by("pk")
    }


def get_envelope(campaign, kind):
    """The campaign's envelope of that kind, created at 0 € when the campaign has none."""
    if kind not in KINDS:
        return None
    envelope, _created = Envelope.objects.get_or_create(
        campaign=campaign, kind=kind, defaults={"amount": ZERO}
    )
    return envelope


def amend_envelope(envelope, user, new_amount, date, reason, *, now=None):
    """Change an envelope's amount, with its date and reason kept in the history.

    Administrators (national or of the region) or ARS decider; `user=None` is the
    command line (`load_campaign`). Lowering it below what is already granted on it is
    refused (409)."""
    if user is not None and not can_amend_envelope.test(user, envelope.campaign):
        raise Forbidden(
            _("Seuls l'administrateur et le décideur ARS peuvent modifier une enveloppe.")
        )
    errors = {}
    amount = parse_money(new_amount, errors, "new_amount")
    date = parse_date(date, errors, "date")
    reason = clean_text(reason, errors, "reason")
    if not reason:
        add_error(errors, "reason", _("Indiquez le motif de la modification."))
    if errors:
        raise InvalidInput(_("La modification de l'enveloppe est incomplète."), errors)
    with transaction.atomic():
        locked = Envelope.objects.select_for_update().get(pk=envelope.pk)
        if amount == locked.amount:
            raise InvalidInput(
                _("Le nouveau montant est identique au montant actuel."),
                {"new_amount": [_("Le montant est inchangé.")]},
            )
        granted = granted_totals_of(locked.campaign_id)[locked.kind]
        if amount < granted:
            raise Conflict(
                _(
                    "Modification refusée : %(amount)s est inférieur au total déjà accordé "
                    "sur cette enveloppe (%(granted)s), de %(gap)s."
                )
                % {
                    "amount": format_eur(amount),
                    "granted": format_eur(granted),
                    "gap": format_eur(granted - amount),
                },
                {"new_amount": [_("Au moins %(granted)s.") % {"granted": format_eur(granted)}]},
            )
        EnvelopeAmendment.objects.create(
            envelope=locked,
            date=date,
            previous_amount=locked.amount,
            new_amount=amount,
            reason=reason,
            created_by=user,
            created_at=now or timezone.now(),
        )
        locked.amount = amount
        locked.save(update_fields=["amount"])
    return locked


def set_envelope(campaign, user, kind, amount, *, date=None, reason="", now=None):
    """The campaign's envelope of that kind at `amount` (its set-up).

    While the campaign is in preparation the amount is simply set; once published it
    changes only by an amendment (amend_envelope: date, reason, never below what is
    granted), and an envelope added then is recorded as an amendment from nothing.
    Returns the Envelope, or None when the amount is unchanged."""
    if user is not None and not can_amend_envelope.test(user, campaign):
        raise Forbidden(
            _("Seuls les administrateurs et le décideur ARS peuvent modifier une enveloppe.")
        )
    errors = {}
    if kind not in KINDS:
        add_error(errors, "kind", _("Nature d'enveloppe inconnue."))
    value = parse_money(amount, errors, kind if kind in KINDS else "amount")
    if errors:
        raise InvalidInput(_("Le montant de l'enveloppe est invalide."), errors)
    now = now or timezone.now()
    with transaction.atomic():
        existing = lock_envelopes(campaign.pk).get(kind)
        if existing is not None and existing.amount == value:
            return None
        if campaign.is_draft:
            if existing is None:
                return Envelope.objects.create(campaign=campaign, kind=kind, amount=value)
            existing.amount = value
            existing.save(update_fields=["amount"])
            return existing
        if existing is not None:
            return amend_envelope(
                existing, user, value, date or timezone.localdate(now), reason, now=now
            )
        reason = clean_text(reason)
        if not reason:
            raise InvalidInput(
                _("La campagne est publiée : indiquez le motif de la nouvelle enveloppe."),
                {"reason": [_("Indiquez le motif de la modification.")]},
            )
        envelope = Envelope.objects.create(campaign=campaign, kind=kind, amount=value)
        EnvelopeAmendment.objects.create(
            envelope=envelope,
            date=date or timezone.localdate(now),
            previous_amount=None,
            new_amount=value,
            reason=reason,
            created_by=user,
            created_at=now,
        )
    return envelope
