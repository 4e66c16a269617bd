"""Envelopes and their amendments: an envelope's amount changes only here, with its
date and reason kept; lowering it below what is already granted is refused."""

from django.db import transaction
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


def amend_envelope(envelope, user, new_amount, date, reason):
    """Change an envelope's amount, with its date and reason kept in the history.

    Administrator or ARS decider. Lowering it below what is already granted on
    it is refused (409)."""
    if not can_amend_envelope.test(user, envelope.campaign):
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
        )
        locked.amount = amount
        locked.save(update_fields=["amount"])
    return locked
