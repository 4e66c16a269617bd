"""Credits delegated against granted lines: the cumulated amount of a line never
exceeds what was granted (the line row is locked while it is checked)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import Role
from budget.domain.inputs import add_error, object_id, parse_date, parse_money
from budget.enums import ZERO
from budget.models import (
    Delegation,
    DelegationInstrument,
)
from budget.rules import (
    can_record_delegation,
)
from common.errors import Conflict, Forbidden, InvalidInput
from common.identifiers import validate_finess
from common.money import format_eur
from dossiers.enums import DossierState
from dossiers.models import FundingLine


def record_delegation(user, line, amount, date, instrument, beneficiary_finess):
    """Record credits delegated against a granted line (ARS decider).

    The cumulated delegated amount of the line stays at or below its granted
    amount (409 otherwise, with the overflow)."""

    if not can_record_delegation.test(user):
        raise Forbidden(_("Seul le décideur ARS peut enregistrer une délégation de crédits."))
    errors = {}
    line_id = object_id(line)
    # Lines of another region are unknown to this decider.
    lines = FundingLine.objects.filter(
        project__dossier__campaign__region_id__in=user.region_ids_for(Role.ARS_DECIDER)
    )
    if line_id is None or not lines.filter(pk=line_id).exists():
        add_error(errors, "line", _("Ligne de financement inconnue."))
    amount = parse_money(amount, errors, "amount")
    if amount is not None and amount <= 0:
        add_error(errors, "amount", _("Le montant délégué doit être strictement positif."))
    date = parse_date(date, errors, "date")
    if instrument not in DelegationInstrument.values:
        add_error(
            errors,
            "instrument",
            _(
                "Support inconnu : fir_arrete (arrêté FIR), cpom_amendment (avenant au CPOM) ou convention."
            ),
        )
    finess = ""
    try:
        finess = validate_finess(beneficiary_finess if isinstance(beneficiary_finess, str) else "")
    except ValidationError as exc:
        for message in exc.messages:
            add_error(errors, "beneficiary_finess", message)
    if errors:
        raise InvalidInput(_("La délégation contient des erreurs."), errors)
    with transaction.atomic():
        locked = FundingLine.objects.select_for_update().get(pk=line_id)
        state = (
            FundingLine.objects.filter(pk=line_id)
            .values_list("project__dossier__state", flat=True)
            .get()
        )
        if state != DossierState.DECIDED or not locked.granted:
            raise Conflict(_("Aucun montant n'est accordé sur cette ligne : rien à déléguer."))
        already = locked.delegations.aggregate(total=Sum("amount"))["total"] or ZERO
        if already + amount > locked.granted:
            overflow = already + amount - locked.granted
            raise Conflict(
                _(
                    "Délégation refusée : le montant délégué dépasserait le montant accordé de "
                    "%(overflow)s (accordé : %(granted)s ; déjà délégué : %(already)s)."
                )
                % {
                    "overflow": format_eur(overflow),
                    "granted": format_eur(locked.granted),
                    "already": format_eur(already),
                },
                {
                    "amount": [
                        _("Au plus %(left)s.") % {"left": format_eur(locked.granted - already)}
                    ]
                },
            )
        return Delegation.objects.create(
            line=locked,
            date=date,
            amount=amount,
            instrument=instrument,
            beneficiary_finess=finess,
            created_by=user,
        )
