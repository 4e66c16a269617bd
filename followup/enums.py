"""Codes of the yearly reports and their French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Remis")
    RETURNED = "returned", _("À compléter")
    ACCEPTED = "accepted", _("Accepté")


EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})
# What the consolidation counts (api.md: "the sum of the submitted and accepted reports").
COUNTED_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})


class ReportKind(models.TextChoices):
    """The report types of the engine (followup.domain.types)."""

    FILIERE = "filiere", _("Rapport annuel de la filière")
    CARSP = "carsp", _("Enquête d'activité de la CAR'sp")


class OrganisationScope(models.TextChoices):
    INTRA = "intra", _("Intra-établissement")
    EXTRA = "extra", _("Extra-établissement")
    MIXED = "mixed", _("Mixte")
