from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    CARESP_REVIEW = "caresp_review", _("Revue CARESP")
    ARS_ANALYSIS = "ars_analysis", _("Analyse ARS")
    RETURNED = "returned", _("À compléter")
    DECIDED = "decided", _("Décidé")
    WITHDRAWN = "withdrawn", _("Retiré")


EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.RETURNED})
# States in which the dossier counts as "submitted" (coverage, staff reading).
SUBMITTED_STATES = frozenset(
    {
        DossierState.SUBMITTED,
        DossierState.CARESP_REVIEW,
        DossierState.ARS_ANALYSIS,
        DossierState.RETURNED,
        DossierState.DECIDED,
    }
)


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepté")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Partiellement accepté")
    REJECTED = "rejected", _("Rejeté")


class LegalStatus(models.TextChoices):
    PUBLIC = "public", _("Établissement public")
    PRIVATE_NON_PROFIT = "private_non_profit", _("Privé non lucratif")
    PRIVATE_FOR_PROFIT = "private_for_profit", _("Privé lucratif")
    ASSOCIATION = "association", _("Association")
    GCS = "gcs", _("Groupement de coopération sanitaire")


class MemberType(models.TextChoices):
    USP = "USP", "USP"
    LISP = "LISP", "LISP"
    EMSP = "EMSP", "EMSP"
    HAD = "HAD", "HAD"
    ERRSPP = "ERRSPP", "ERRSPP"
    HDJ = "HDJ", "HDJ"
    DAC = "DAC", "DAC"
    CPTS = "CPTS", "CPTS"
    MSP = "MSP", "MSP"
    ES = "ES", _("Autre établissement de santé")
    EHPAD = "EHPAD", "EHPAD"
    ESSMS = "ESSMS", "ESSMS"
    VOLUNTEERS = "bénévoles", _("Association de bénévoles")
    OTHER = "autre", _("Autre")


class MemberRole(models.TextChoices):
    EXPERT = "expert", _("Expert")
    APPLICANT = "requérant", _("Requérant")


class Mission(models.TextChoices):
    """Missions a filière must guarantee (instruction of 21 June 2023)."""

    GRADUATED_OFFER = "graduated_offer", _("Offre graduée (domicile et hôpital, 3 niveaux)")
    EMSP_COVERAGE = (
        "emsp_coverage",
        _("Équipes mobiles couvrant tous les lieux de vie (y compris précarité et handicap)"),
    )
    SPECIALISED_CONSULTATIONS = (
        "specialised_consultations",
        _("Consultations spécialisées (y compris pédiatriques)"),
    )
    DAY_HOSPITAL = "day_hospital", _("Accès à l'hôpital de jour")
    PAEDIATRIC_EXPERTISE = "paediatric_expertise", _("Expertise pédiatrique (ERRSPP)")
    TERRITORIAL_SUPPORT = (
        "territorial_support",
        _("Ligne d'appui territoriale (journée, soirée ; régionale 24 h/24)"),
    )
    RCP = "rcp", _("Réunions de concertation pluriprofessionnelles (RCP)")
    PALLIATIVE_EMERGENCIES = (
        "palliative_emergencies",
        _("Organisation des urgences palliatives avec le SAMU"),
    )
    VOLUNTEERS = "volunteers", _("Bénévoles d'accompagnement")
    CARER_SUPPORT = "carer_support", _("Soutien aux aidants")
    BEREAVEMENT = "bereavement", _("Accompagnement du deuil")
    TRAINING = "training", _("Formation des professionnels")
    PROFESSIONAL_SUPPORT = "professional_support", _("Soutien aux professionnels")


class MissionStatus(models.TextChoices):
    COVERED = "covered", _("Couverte")
    PARTIAL = "partial", _("Partielle")
    MISSING = "missing", _("Absente")


class LineNature(models.TextChoices):
    RECURRING = "recurring", _("Reconductible")
    ONE_OFF = "one_off", _("Ponctuel non reconductible")


class LineCategory(models.TextChoices):
    STAFF = "staff", _("Personnel")
    OPERATING = "operating", _("Fonctionnement")
    INVESTMENT = "investment", _("Investissement")
    TRAINING = "training", _("Formation")
    OTHER = "other", _("Autre")


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    RESERVED = "reserved", _("Réservé")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


class Section(models.TextChoices):
    """Parts of the dossier, for the stepper, attachments and completeness links."""

    IDENTITY = "identity", _("Fiche d'identité")
    DIAGNOSTIC = "diagnostic", _("Diagnostic territorial")
    SWOT = "swot", _("Analyse AFOM (SWOT)")
    PROJECTS = "projects", _("Fiches projet")


# The diagnostic's figures, as shown on the dossier and the printable dossier (the
# form has its own, longer labels with hints).
DIAGNOSTIC_FIGURES = [
    ("population", _("Population")),
    ("minors", _("dont mineurs")),
    ("over_75", _("dont personnes de plus de 75 ans")),
    ("area_km2", _("Superficie (km²)")),
    ("lisp_beds", _("Lits identifiés de soins palliatifs (LISP)")),
    ("usp_beds", _("Lits d'unités de soins palliatifs (USP)")),
    ("emsp_count", _("Équipes mobiles de soins palliatifs (EMSP)")),
    ("had_count", _("Structures d'hospitalisation à domicile (HAD)")),
    ("had_patients", _("Patients suivis en HAD")),
    ("ehpad_count", _("EHPAD")),
    ("ehpad_residents", _("Résidents en EHPAD")),
    ("other_housing_count", _("Autres habitats collectifs (résidences autonomie, MAS, FAM…)")),
    ("specialised_team_establishments", _("Établissements ayant recours à une équipe spécialisée")),
    ("dac_count", _("Dispositifs d'appui à la coordination (DAC)")),
    ("cpts_count", _("CPTS")),
    ("volunteer_associations", _("Associations de bénévoles d'accompagnement")),
]
# The territorial analysis the call asks for, beside the figures and the SWOT.
DIAGNOSTIC_ANALYSES = [
    ("needs", _("Besoins identifiés sur le territoire")),
    ("levers", _("Leviers mobilisables")),
    ("corrective_actions", _("Actions correctrices envisagées")),
    ("prospective", _("Analyse prospective")),
]
