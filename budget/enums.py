"""Codes of the budget: envelope kinds, delegation instruments, and how a line's
nature maps onto an envelope."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.enums import LineNature


class EnvelopeKind(models.TextChoices):
    RECURRING = "recurring", _("Crédits reconductibles")
    ONE_OFF = "one_off", _("Crédits ponctuels non reconductibles")


class DelegationInstrument(models.TextChoices):
    FIR_ARRETE = "fir_arrete", _("Arrêté FIR")
    CPOM_AMENDMENT = "cpom_amendment", _("Avenant au CPOM")
    CONVENTION = "convention", _("Convention")


ZERO = Decimal("0.00")
KINDS = (EnvelopeKind.RECURRING.value, EnvelopeKind.ONE_OFF.value)
# Line nature → envelope kind (same codes, kept explicit).
NATURE_TO_KIND = {LineNature.RECURRING.value: "recurring", LineNature.ONE_OFF.value: "one_off"}
