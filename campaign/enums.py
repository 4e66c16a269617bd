"""Codes of the campaigns' life and their French labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    """A call is prepared as a draft (seen by its region's ARS only), published (open to
    the filières from its opening date to its deadline), then closed to applications
    (instruction and decisions go on)."""

    DRAFT = "draft", _("En préparation")
    PUBLISHED = "published", _("Publiée")
    CLOSED = "closed", _("Close")


class CampaignKind(models.TextChoices):
    """A call for applications, or the yearly follow-up of the region's recognised
    filières (design brief §10; the followup app)."""

    CALL = "call", _("Appel à candidatures")
    FOLLOWUP = "followup", _("Suivi annuel des filières reconnues")


class CampaignAction(models.TextChoices):
    """What a campaign's history records (CampaignEvent.action)."""

    CREATED = "created", _("Création")
    UPDATED = "updated", _("Modification")
    PUBLISHED = "published", _("Publication")
    DATES_CHANGED = "dates_changed", _("Changement de calendrier")
    TERRITORIES = "territories", _("Territoires")
    FILIERE_ADDED = "filiere_added", _("Filière ajoutée")
    FILIERE_REMOVED = "filiere_removed", _("Filière retirée")
    FILIERES_IMPORTED = "filieres_imported", _("Import de filières")
    GRID = "grid", _("Grille d'évaluation")
    CLOSED = "closed", _("Clôture")
    RESULTS_PUBLISHED = "results_published", _("Publication des résultats")
    RESULTS_WITHDRAWN = "results_withdrawn", _("Retrait des résultats")
