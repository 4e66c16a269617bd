"""The demonstration data of `make run` (`manage.py seed_demo`).

The Bretagne 2025 campaign with its real dates, its 8 health territories and
8 filières, one user per role, and one dossier per filière covering every state
of the lifecycle. Everything goes through the same domain functions as the
interface: `load_campaign` for the campaign and users, the editing functions for
the dossiers' content, and `dossiers.domain.transitions.transition` for every state change,
so history entries and snapshots exist as they would in real life.

The campaign's deadline (14 February 2025) is past: the two draft filières get
an individual extension so that their lead can still submit in the demo.
No e-mail is sent while seeding."""

import datetime as dt
import json
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.db import router, transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from budget.domain.decisions import decide
from budget.domain.proposals import propose
from campaign.models import Campaign, DeadlineExtension
from common.errors import Conflict
from common.identifiers import finess_with_key
from dossiers.domain import editing
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, LineNature, Mission, Outcome
from dossiers.models import Attachment, Dossier, FundingLine, HistoryEntry, Snapshot
from scoring.domain.assignments import assign_reviewer
from scoring.domain.grid import get_grid, grid_criteria
from scoring.domain.reviews import save_review
from setup.loading import REFERENCE_FILE, load_campaign

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEMO_SLUG = "bretagne-2025"
EXTENSION_REASON = "Démonstration : prolongation pour tester le dépôt"
EXTENSION_DAYS = 30


def paris(year, month, day, hour=10, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    filiere: str = ""
    note: str = ""
    first_name: str = ""
    last_name: str = ""


# filière slug -> (territory code, state shown in the demo, number of project sheets)
FILIERES = {
    "nord-finistere": ("T1", "draft", 4),
    "cornouaille": ("T2", "returned", 3),
    "lorient-quimperle": ("T3", "withdrawn", 2),
    "broceliande-atlantique": ("T4", "decided", 4),
    "haute-bretagne": ("T5", "ars_analysis", 6),
    "saint-malo-dinan": ("T6", "submitted", 3),
    "armor": ("T7", "caresp_review", 5),
    "coeur-de-breizh": ("T8", "draft_started", 0),
}

STATE_NOTES = {
    "draft": "brouillon presque complet, à déposer",
    "draft_started": "brouillon à peine commencé",
    "submitted": "déposé",
    "caresp_review": "en revue CARESP",
    "ars_analysis": "en analyse ARS (redéposé après compléments)",
    "returned": "à compléter (demande de l'ARS)",
    "withdrawn": "retiré",
    "decided": "décidé (partiellement accepté)",
}

ACCOUNTS = [
    DemoAccount(
        "porteur.nord-finistere",
        "Goemon-Iroise-7391",
        Role.FILIERE_LEAD,
        "nord-finistere",
        first_name="Anne",
        last_name="Le Goff",
    ),
    DemoAccount(
        "coredacteur.nord-finistere",
        "Kouign-Aber-2846",
        Role.FILIERE_LEAD,
        "nord-finistere",
        note="co-rédacteur",
        first_name="Tanguy",
        last_name="Quéré",
    ),
    DemoAccount(
        "porteur.cornouaille",
        "Odet-Penfret-5286",
        Role.FILIERE_LEAD,
        "cornouaille",
        first_name="Yann",
        last_name="Kerjean",
    ),
    DemoAccount(
        "porteur.broceliande-atlantique",
        "Gwened-Ria-6157",
        Role.FILIERE_LEAD,
        "broceliande-atlantique",
        first_name="Maëlle",
        last_name="Jégo",
    ),
    DemoAccount(
        "porteur.haute-bretagne",
        "Vilaine-Thabor-3702",
        Role.FILIERE_LEAD,
        "haute-bretagne",
        first_name="Thomas",
        last_name="Lemoine",
    ),
    DemoAccount(
        "porteur.saint-malo-dinan",
        "Rance-Emeraude-4418",
        Role.FILIERE_LEAD,
        "saint-malo-dinan",
        first_name="Claire",
        last_name="Rouxel",
    ),
    DemoAccount(
        "porteur.armor",
        "Goelo-Trieux-8035",
        Role.FILIERE_LEAD,
        "armor",
        first_name="Nicolas",
        last_name="Le Floch",
    ),
    DemoAccount(
        "porteur.lorient-quimperle",
        "Laita-Scorff-1964",
        Role.FILIERE_LEAD,
        "lorient-quimperle",
        first_name="Sophie",
        last_name="Guégan",
    ),
    DemoAccount(
        "porteur.coeur-de-breizh",
        "Blavet-Rohan-5573",
        Role.FILIERE_LEAD,
        "coeur-de-breizh",
        first_name="Ronan",
        last_name="Le Cunff",
    ),
    DemoAccount(
        "caresp",
        "Lande-Bruyere-8142",
        Role.CARESP_REVIEWER,
        note="cellule régionale (CARESP)",
        first_name="Gaëlle",
        last_name="Morvan",
    ),
    DemoAccount(
        "instructeur",
        "Aber-Wrach-2674",
        Role.ARS_INSTRUCTOR,
        note="référent soins palliatifs ARS",
        first_name="Erwan",
        last_name="Le Bihan",
    ),
    DemoAccount(
        "decideur",
        "Menhir-Carnac-9513",
        Role.ARS_DECIDER,
        note="direction générale ARS",
        first_name="Solenn",
        last_name="Guillou",
    ),
    DemoAccount(
        "admin",
        "Phare-Eckmuhl-4608",
        Role.ADMIN,
        note="administration Django (/admin/)",
        first_name="Loïc",
        last_name="Tanguy",
    ),
]

# Per territory: lead structure and figures (population from the fixture when it has one).
TERRITORY_DETAILS = {
    "T1": {"lead": "CHU de Brest", "population": 545000, "area": 3900, "over_75": 0.115},
    "T2": {
        "lead": "CH de Cornouaille Quimper-Concarneau",
        "population": 330000,
        "area": 2800,
        "over_75": 0.125,
    },
    "T3": {
        "lead": "Groupe hospitalier Bretagne Sud (Lorient)",
        "population": 290000,
        "area": 1900,
        "over_75": 0.12,
    },
    "T4": {
        "lead": "CH Bretagne Atlantique (Vannes)",
        "population": 450000,
        "area": 3700,
        "over_75": 0.12,
    },
    "T5": {"lead": "CHU de Rennes", "population": None, "area": 6000, "over_75": 0.085},
    "T6": {"lead": "CH de Saint-Malo", "population": 280000, "area": 1900, "over_75": 0.12},
    "T7": {"lead": "CH de Saint-Brieuc", "population": 420000, "area": 3800, "over_75": 0.13},
    "T8": {"lead": "CH du Centre Bretagne (Pontivy)", "population": None, "area": 2300},
}

COORDINATORS = {
    "T1": ("Dr Anne Le Goff", "02 98 22 33 33"),
    "T2": ("Dr Yann Kerjean", "02 98 52 60 60"),
    "T3": ("Sophie Guégan, cadre de santé", "02 97 64 90 00"),
    "T4": ("Dr Maëlle Jégo", "02 97 01 41 41"),
    "T5": ("Dr Thomas Lemoine", "02 99 28 43 21"),
    "T6": ("Claire Rouxel, IDE coordinatrice", "02 99 21 21 21"),
    "T7": ("Dr Nicolas Le Floch", "02 96 01 71 23"),
    "T8": ("Ronan Le Cunff, cadre de santé", "02 97 79 00 00"),
}

MISSION_PLAN = {
    # code: (default status, comment) ; gaps per territory below
    Mission.GRADUATED_OFFER: ("covered", "USP, LISP et équipes mobiles articulées avec l'HAD."),
    Mission.EMSP_COVERAGE: (
        "partial",
        "Les EHPAD sont couverts ; les foyers pour personnes handicapées le sont peu.",
    ),
    Mission.SPECIALISED_CONSULTATIONS: (
        "partial",
        "Consultations adultes en place ; pas de consultation pédiatrique sur le territoire.",
    ),
    Mission.DAY_HOSPITAL: ("covered", "Places d'hôpital de jour dans l'établissement porteur."),
    Mission.PAEDIATRIC_EXPERTISE: (
        "partial",
        "Recours à l'ERRSPP régionale, sans relais identifié sur le territoire.",
    ),
    Mission.TERRITORIAL_SUPPORT: (
        "partial",
        "Ligne d'appui en journée ; soirées et week-ends non couverts.",
    ),
    Mission.RCP: ("covered", "RCP mensuelle de soins palliatifs ouverte aux libéraux."),
    Mission.PALLIATIVE_EMERGENCIES: (
        "missing",
        "Pas de fiche « urgence palliative » partagée avec le SAMU.",
    ),
    Mission.VOLUNTEERS: ("covered", "Associations de bénévoles conventionnées avec l'USP."),
    Mission.CARER_SUPPORT: ("partial", "Groupes de parole ponctuels, sans psychologue dédié."),
    Mission.BEREAVEMENT: ("partial", "Accompagnement du deuil assuré par les bénévoles."),
    Mission.TRAINING: ("covered", "Formations annuelles de l'EMSP pour les EHPAD."),
    Mission.PROFESSIONAL_SUPPORT: (
        "partial",
        "Analyse des pratiques dans l'établissement porteur.",
    ),
}
MISSION_GAPS = {
    "T5": {Mission.PAEDIATRIC_EXPERTISE: ("covered", "ERRSPP régionale basée au CHU de Rennes.")},
    "T6": {Mission.DAY_HOSPITAL: ("missing", "Aucune place d'hôpital de jour identifiée.")},
    "T8": {
        Mission.DAY_HOSPITAL: ("missing", "Aucune place d'hôpital de jour identifiée."),
        Mission.TERRITORIAL_SUPPORT: ("missing", "Pas de ligne d'appui sur le territoire."),
    },
    "T1": {
        Mission.PALLIATIVE_EMERGENCIES: (
            "partial",
            "Fiche urgence palliative expérimentée avec le SAMU 29 sur le pays de Brest.",
        )
    },
}


def _of(town):
    return f"d'{town}" if town[0] in "AEIOUÉHaeiouéh" else f"de {town}"


@dataclass
class _Line:
    label: str
    nature: str
    category: str
    amount: str
    etp: str | None = None
    profile: str = ""
    first_year: int | None = 2025
    on_member: bool = False  # beneficiary: a member hospital rather than the lead


def _staff(label, profile, etp, per_etp, *, first_year=2025, on_member=False):
    amount = (Decimal(etp) * Decimal(per_etp)).quantize(Decimal("1"))
    return _Line(label, "recurring", "staff", str(amount), etp, profile, first_year, on_member)


def _project_templates(towns):
    second = towns[1] if len(towns) > 1 else towns[0]
    return [
        {
            "title": "Renforcer l'équipe mobile de soins palliatifs vers le domicile et les EHPAD",
            "objectives": "Permettre à l'EMSP d'intervenir dans tous les lieux de vie du territoire, "
            "y compris auprès des personnes en situation de handicap ou de précarité, "
            "dans un délai de 72 heures.",
            "actions": "Recrutement d'un infirmier et d'un médecin à temps partiel ; conventions "
            "d'intervention avec les EHPAD et les établissements médico-sociaux ; astreinte "
            "téléphonique partagée avec l'HAD.",
            "indicators": "Nombre d'interventions à domicile et en EHPAD ; délai moyen "
            "d'intervention ; part des EHPAD conventionnés.",
            "missions": ["emsp_coverage", "graduated_offer"],
            "swot": "weaknesses",
            "lines": [
                _staff("Infirmier de l'équipe mobile", "IDE", "1.0", 52000),
                _staff("Médecin de l'équipe mobile", "Médecin", "0.5", 108000, on_member=True),
                _Line(
                    "Véhicule de service pour les interventions à domicile",
                    "one_off",
                    "investment",
                    "26000",
                    first_year=None,
                ),
            ],
        },
        {
            "title": "Ligne d'appui territoriale en soins palliatifs (journée et soirée)",
            "objectives": "Offrir aux professionnels du domicile et aux EHPAD un appui téléphonique "
            "de 8 h à 22 h, articulé avec la permanence régionale 24 h/24.",
            "actions": "Mise en place d'un numéro unique ; protocole d'appel avec le SAMU ; "
            "fiches « urgence palliative » partagées.",
            "indicators": "Nombre d'appels ; part des appels en soirée ; hospitalisations évitées.",
            "missions": ["territorial_support", "palliative_emergencies"],
            "swot": "opportunities",
            "lines": [
                _staff("Infirmiers de coordination de la ligne d'appui", "IDE", "1.5", 52000),
                _Line(
                    "Téléphonie et logiciel de régulation",
                    "one_off",
                    "investment",
                    "18000",
                    first_year=None,
                ),
                _Line("Frais de fonctionnement de la ligne", "recurring", "operating", "9000"),
            ],
        },
        {
            "title": f"Consultations avancées et hôpital de jour de soins palliatifs à {second}",
            "objectives": f"Rapprocher l'expertise palliative des patients du secteur {_of(second)} "
            "et éviter des trajets de plus d'une heure.",
            "actions": "Consultation avancée hebdomadaire ; deux places d'hôpital de jour.",
            "indicators": "Nombre de consultations ; file active de l'hôpital de jour.",
            "missions": ["specialised_consultations", "day_hospital"],
            "swot": "weaknesses",
            "lines": [
                _staff(
                    "Médecin de soins palliatifs (consultations avancées)",
                    "Médecin",
                    "0.4",
                    110000,
                    first_year=2026,
                    on_member=True,
                ),
                _staff(
                    "Infirmier d'hôpital de jour",
                    "IDE",
                    "0.5",
                    50000,
                    first_year=2026,
                    on_member=True,
                ),
                _Line(
                    "Aménagement de deux places d'hôpital de jour",
                    "one_off",
                    "investment",
                    "35000",
                    first_year=None,
                    on_member=True,
                ),
            ],
        },
        {
            "title": "Plan territorial de formation des professionnels du domicile et des EHPAD",
            "objectives": "Former chaque année 150 professionnels à la démarche palliative.",
            "actions": "Sessions de deux jours ; compagnonnage par l'EMSP ; formation des "
            "référents soins palliatifs des EHPAD.",
            "indicators": "Nombre de professionnels formés ; nombre d'EHPAD avec un référent.",
            "missions": ["training", "professional_support"],
            "swot": "strengths",
            "lines": [
                _Line(
                    "Sessions de formation et remplacement des personnels formés",
                    "recurring",
                    "training",
                    "18000",
                ),
                _Line(
                    "Supports pédagogiques et matériel de simulation",
                    "one_off",
                    "training",
                    "7500",
                    first_year=None,
                ),
            ],
        },
        {
            "title": "Soutien aux aidants et accompagnement du deuil",
            "objectives": "Proposer à chaque aidant un soutien psychologique et un suivi de deuil.",
            "actions": "Consultations de psychologue ; groupes d'aidants ; formation des bénévoles "
            "d'accompagnement.",
            "indicators": "Nombre d'aidants accompagnés ; nombre de bénévoles formés.",
            "missions": ["carer_support", "bereavement", "volunteers"],
            "swot": "weaknesses",
            "lines": [
                _staff("Psychologue des aidants", "Psychologue", "0.6", 50000, first_year=2026),
                _Line(
                    "Formation et coordination des bénévoles d'accompagnement",
                    "recurring",
                    "other",
                    "6000",
                    first_year=2026,
                ),
            ],
        },
        {
            "title": "Coordination de la filière et RCP territoriales",
            "objectives": "Animer la filière, suivre ses indicateurs et organiser une RCP "
            "mensuelle ouverte aux libéraux.",
            "actions": "Recrutement d'un coordinateur ; outil de visioconférence pour les RCP ; "
            "tableau de bord annuel de la filière.",
            "indicators": "Nombre de RCP ; participation des professionnels libéraux.",
            "missions": ["rcp", "graduated_offer", "professional_support"],
            "swot": "strengths",
            "lines": [
                _staff("Coordinateur de la filière", "Cadre de santé", "1.0", 55000),
                _staff("Assistant de coordination", "Assistant médico-administratif", "0.5", 45000),
                _Line(
                    "Outil de visioconférence et dossier partagé pour les RCP",
                    "one_off",
                    "investment",
                    "12000",
                    first_year=None,
                ),
            ],
        },
    ]


def _reference():
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return {t["code"]: t for t in data["territories"]}, {d["code"]: d for d in data["departements"]}


class _Finess:
    """Plausible FINESS numbers (department prefix, valid key), distinct within the demo."""

    def __init__(self):
        self.counters = Counter()

    def __call__(self, departement):
        self.counters[departement] += 1
        return finess_with_key(f"{departement}{self.counters[departement] * 137 + 10:06d}")


def _content(code, territory, departements, finess):
    details = TERRITORY_DETAILS[code]
    towns = territory["main_towns"]
    dep = territory["departements"][0]
    lead_name = details["lead"]
    lead_finess = finess(dep)
    members = [
        {"type": "USP", "name": f"USP du {lead_name}", "finess": lead_finess, "role": "expert"},
        {
            "type": "EMSP",
            "name": f"Équipe mobile de soins palliatifs du {lead_name}",
            "finess": lead_finess,
            "role": "expert",
        },
    ]
    member_finess = []
    for town in towns[1:]:
        number = finess(dep)
        member_finess.append(number)
        members.append(
            {
                "type": "LISP",
                "name": f"CH {_of(town)} (LISP)",
                "finess": number,
                "role": "requérant",
            }
        )
    usual = territory["usual_filiere_name"]
    members += [
        {"type": "HAD", "name": f"HAD {usual}", "finess": finess(dep), "role": "requérant"},
        {
            "type": "DAC",
            "name": f"DAC {departements[dep]['name']}",
            "finess": "",
            "role": "requérant",
        },
        {
            "type": "CPTS",
            "name": f"CPTS du pays {_of(towns[0])}",
            "finess": "",
            "role": "requérant",
        },
        {
            "type": "EHPAD",
            "name": f"EHPAD Ker Avel ({towns[-1]})",
            "finess": finess(dep),
            "role": "requérant",
        },
        {
            "type": "bénévoles",
            "name": f"Association d'accompagnement bénévole du pays {_of(towns[0])}",
            "finess": "",
            "role": "requérant",
        },
    ]
    coordinator, phone = COORDINATORS[code]
    identity = {
        "name": f"Filière territoriale de soins palliatifs {usual}",
        "lead_structure": {"name": lead_name, "finess": lead_finess, "legal_status": "public"},
        "coordinator": {
            "name": coordinator,
            "email": f"soins-palliatifs.{code.lower()}@example.fr",
            "phone": phone,
        },
        "members": [{**m, "siret": ""} for m in members],
        "governance": "Comité de pilotage trimestriel réunissant les établissements, l'HAD, "
        "le DAC, les CPTS et les associations ; bureau mensuel.",
        "convention_signed": True,
        "communes": ", ".join(towns),
    }
    population = details["population"] or territory["population"]
    over_75 = details.get("over_75", 0.14)
    ehpad = population // 4500
    diagnostic = {
        "population": population,
        "minors": int(population * 0.21),
        "over_75": int(population * over_75),
        "area_km2": str(details["area"]),
        "access_notes": f"Les communes les plus éloignées sont à plus de 45 minutes "
        f"{_of(towns[0])} ; "
        + (
            "desserte des îles par bateau."
            if code in {"T1", "T2", "T4"}
            else "zones rurales peu denses au centre du territoire."
        ),
        "lisp_beds": population // 12000,
        "usp_beds": 12 if population > 400000 else 8 if population > 250000 else 0,
        "emsp_count": max(2, population // 150000),
        "had_count": 2 if population > 400000 else 1,
        "ehpad_count": ehpad,
        "ehpad_residents": ehpad * 78,
        "dac_count": 1,
        "cpts_count": max(2, population // 45000),
        "volunteer_associations": max(2, population // 120000),
        "missions": [
            {"code": m, "status": status, "comment": comment}
            for m, (status, comment) in {**MISSION_PLAN, **MISSION_GAPS.get(code, {})}.items()
        ],
    }
    swot = {
        "strengths": [
            f"Équipe mobile expérimentée au {lead_name}",
            "Culture de la coopération entre établissements du GHT",
            "Associations de bénévoles actives et formées",
        ],
        "weaknesses": [
            f"Couverture inégale des zones rurales autour {_of(towns[-1])} par l'équipe mobile",
            "Pas de ligne d'appui en soirée ni le week-end",
            "Soutien aux aidants reposant sur les seuls bénévoles",
        ],
        "opportunities": [
            "Stratégie décennale des soins d'accompagnement (2024-2034)",
            f"Dynamique des CPTS autour {_of(towns[0])}",
        ],
        "threats": [
            "Difficultés de recrutement médical",
            "Vieillissement de la population plus rapide que la moyenne nationale",
        ],
    }
    return identity, diagnostic, swot, lead_finess, member_finess or [lead_finess]


def _project_data(template, priority, code, lead_name, swot):
    start = dt.date(2025, 9, 1) if priority <= 2 else dt.date(2026, 1, 1)
    return {
        "priority": priority,
        "title": template["title"],
        "objectives": template["objectives"],
        "actions": template["actions"],
        "start": start,
        "end": dt.date(2028, 12, 31),
        "pilot": lead_name,
        "partners": "HAD, DAC, CPTS, EHPAD et associations de bénévoles du territoire",
        "indicators": template["indicators"],
        "missions": template["missions"],
        "swot_items": [swot[template["swot"]][0]],
    }


@dataclass
class DemoReport:
    campaign: Campaign
    created: bool
    states: Counter = field(default_factory=Counter)
    extensions: list = field(default_factory=list)  # [(filière, until)]
    seconds: float = 0.0
    accounts: list = field(default_factory=lambda: list(ACCOUNTS))


def campaign_spec():
    """The demo campaign as a load_campaign file (real dates of the call)."""
    territories, _deps = _reference()
    return {
        "slug": DEMO_SLUG,
        "name": "Reconnaissance des filières territoriales de soins palliatifs — Bretagne 2025",
        "region": "Bretagne",
        "opens_at": "2024-11-15T00:00:00+01:00",
        "deadline": "2025-02-14T23:59:59+01:00",
        "decision_date": "2025-06-30",
        "first_delegation_date": "2025-07-15",
        "envelopes": {"recurring": "1600000.00", "one_off": "400000.00"},
        "filieres": [
            {
                "slug": slug,
                "name": territories[code]["usual_filiere_name"],
                "territories": [code],
            }
            for slug, (code, _state, _n) in FILIERES.items()
        ],
        "users": [
            {
                "username": a.username,
                "email": f"{a.username}@example.fr",
                "password": a.password,
                "first_name": a.first_name,
                "last_name": a.last_name,
                "roles": [str(a.role)],
                "filieres": [a.filiere] if a.filiere else [],
            }
            for a in ACCOUNTS
        ],
    }


DEMO_HASH_ITERATIONS = 10_000


def _create_demo_users():
    """Create the demo accounts that do not exist yet, with quickly computed hashes.

    Their passwords are printed for everyone to use, so a full-strength hash
    (a million iterations, a quarter of a second each) would only slow the demo
    down. Django re-hashes a password at full strength at its first login
    (PBKDF2PasswordHasher.must_update), and load_campaign then finds them unchanged."""
    hasher = get_hasher()
    existing = set(
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    for account in ACCOUNTS:
        if account.username not in existing:
            User.objects.create(
                username=account.username,
                email=f"{account.username}@example.fr",
                password=hasher.encode(
                    account.password, hasher.salt(), iterations=DEMO_HASH_ITERATIONS
                )
                if isinstance(hasher, PBKDF2PasswordHasher)
                else make_password(account.password),
            )


def _fire(dossier, name, user, at, **kwargs):
    """A workflow transition at a past instant of the campaign's timeline."""
    return transition(dossier, name, user, now=at, **kwargs)


def _record_demo_decision(dossier, instructor, decider, *, at, comment):
    """The instructor proposes and the decider decides, through the budget domain.

    Priorities 1 and 2 are granted in full, priority 3 at half its amount, the
    rest is refused this year; recurring lines start in September 2025."""

    lines = FundingLine.objects.filter(project__dossier=dossier).select_related("project")
    decided = []
    for line in lines:
        rank = line.project.priority or 99
        if rank <= 2:
            granted = line.amount
        elif rank == 3:
            granted = (line.amount / 2).quantize(Decimal("0.01"))
        else:
            granted = Decimal("0.00")
        recurring = line.nature == LineNature.RECURRING
        decided.append(
            {
                "line": line.pk,
                "granted": granted,
                "start_month": dt.date(max(line.first_year or 2025, 2025), 9, 1)
                if recurring and granted
                else None,
            }
        )
    propose(
        dossier,
        instructor,
        [
            {
                "line": d["line"],
                "proposed": d["granted"],
                "opinion": "favourable" if d["granted"] else "unfavourable",
            }
            for d in decided
        ],
    )
    return decide(dossier, decider, Outcome.PARTIALLY_ACCEPTED, decided, comment, now=at)


def _demo_reviews(dossier, users, day, *, submit):
    """The CARESP reviewer (and, once submitted, the instructor) score the dossier.

    In CARESP review the CARESP account has a draft to finish: something to do in the demo."""

    instructor, caresp = users["instructeur"], users["caresp"]
    criteria = grid_criteria(get_grid(dossier.campaign))
    reviewers = [caresp, instructor] if submit else [caresp]
    for offset, reviewer in enumerate(reviewers):
        assign_reviewer(dossier, instructor, reviewer)
        scores = {c.code: min(4, 1 + (day + offset + i) % 4) for i, c in enumerate(criteria)}
        save_review(
            dossier,
            reviewer,
            {
                "scores": scores,
                "opinion": "favourable" if sum(scores.values()) >= 2 * len(scores) else "reserved",
                "comment": "Diagnostic solide ; le calendrier des recrutements reste à préciser.",
            },
            submit=submit,
            now=paris(2025, 3, 1 + day, 11, 0),
        )


def _build_dossier(filiere, lead, users, code, state, n_projects, refs, finess, now):
    territories, departements = refs
    territory = territories[code]
    identity, diagnostic, swot, lead_finess, member_finess = _content(
        code, territory, departements, finess
    )
    dossier = editing.create_dossier(lead, filiere)
    if state == "draft_started":
        identity = {
            "name": identity["name"],
            "lead_structure": identity["lead_structure"],
            "coordinator": identity["coordinator"],
        }
        diagnostic = {"population": diagnostic["population"], "area_km2": diagnostic["area_km2"]}
        editing.update_parts(dossier, lead, {"identity": identity, "diagnostic": diagnostic})
        return dossier, state
    if state == "draft":
        swot = {**swot, "threats": []}  # left for the lead to finish in the demo
    editing.update_parts(
        dossier, lead, {"identity": identity, "diagnostic": diagnostic, "swot": swot}
    )
    templates = _project_templates(territory["main_towns"])
    offset = int(code[1:]) - 1
    chosen = [templates[(offset + i) % len(templates)] for i in range(n_projects)]
    for priority, template in enumerate(chosen, start=1):
        project = editing.create_project(
            dossier,
            lead,
            _project_data(template, priority, code, identity["lead_structure"]["name"], swot),
        )
        for index, line in enumerate(template["lines"]):
            first_year = line.first_year if line.nature == "recurring" else None
            if state == "draft" and priority == n_projects and index == 0:
                first_year = None  # the second thing the completeness check will point out
            editing.create_line(
                dossier,
                lead,
                project.id,
                {
                    "label": line.label,
                    "nature": line.nature,
                    "category": line.category,
                    "staff_profile": line.profile,
                    "etp": line.etp,
                    "amount": line.amount,
                    "first_year": first_year,
                    "beneficiary_finess": member_finess[index % len(member_finess)]
                    if line.on_member
                    else lead_finess,
                },
            )
    instructor, decider = users["instructeur"], users["decideur"]
    day = int(code[1:])
    if state in {"draft"}:
        return dossier, state
    dossier = _fire(dossier, "submit", lead, paris(2025, 2, 3 + day, 16, 20 + day))
    if state == "submitted":
        return dossier, state
    if state == "withdrawn":
        dossier = _fire(
            dossier,
            "withdraw",
            lead,
            paris(2025, 3, 3, 11, 5),
            comment="Retrait décidé par le comité de pilotage : le projet sera redéposé "
            "après le rapprochement des deux équipes mobiles du territoire.",
        )
        return dossier, state
    dossier = _fire(dossier, "start_caresp_review", instructor, paris(2025, 2, 20, 9, 30))
    _demo_reviews(dossier, users, day, submit=state not in {"caresp_review", "returned"})
    if state == "caresp_review":
        return dossier, state
    if state == "returned":
        dossier = _fire(
            dossier,
            "return_for_completion",
            instructor,
            paris(2025, 3, 12, 14, 0),
            comment="Merci de préciser le calendrier et la quotité du recrutement du médecin "
            "de l'équipe mobile, et de joindre la convention de partenariat signée avec l'HAD.",
            due_date=dt.date(2025, 4, 4),
        )
        return dossier, state
    if state == "ars_analysis":
        # A round of completion first: two snapshots show what changed.
        dossier = _fire(
            dossier,
            "return_for_completion",
            instructor,
            paris(2025, 3, 5, 10, 0),
            comment="Le diagnostic ne décrit pas la couverture du pays de Redon par l'équipe "
            "mobile : merci de le compléter.",
            due_date=dt.date(2025, 3, 21),
        )
        diagnostic = dict(dossier.diagnostic)
        diagnostic["access_notes"] += (
            " Le pays de Redon est couvert par l'antenne de l'EMSP installée au CH de Redon "
            "depuis janvier 2025 (deux demi-journées par semaine)."
        )
        editing.update_parts(dossier, lead, {"diagnostic": diagnostic})
        dossier = _fire(dossier, "resubmit", lead, paris(2025, 3, 18, 17, 45))
        dossier = _fire(dossier, "start_ars_analysis", instructor, paris(2025, 4, 10, 9, 0))
        return dossier, state
    dossier = _fire(dossier, "start_ars_analysis", instructor, paris(2025, 4, 8, 9, 0))
    dossier = _record_demo_decision(
        dossier,
        instructor,
        decider,
        at=paris(2025, 6, 30, 15, 0),
        comment="Fiches 1 et 2 financées en totalité ; fiche 3 financée à 50 % ; les fiches "
        "suivantes ne sont pas retenues cette année et pourront être présentées à nouveau.",
    )
    return dossier, state


def _extension_until(now):
    day = timezone.localtime(now, PARIS).date() + dt.timedelta(days=EXTENSION_DAYS)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PARIS)


def ensure_demo_extensions(campaign, instructor, now):
    """Draft filières of the demo get (again) an extension ending 30 days from now."""

    granted = []
    drafts = Dossier.objects.filter(campaign=campaign, state=DossierState.DRAFT).select_related(
        "filiere"
    )
    for dossier in drafts:
        latest = dossier.filiere.extensions.aggregate(latest=Max("until"))["latest"]
        current = max(campaign.deadline, latest) if latest else campaign.deadline
        if current >= now + dt.timedelta(days=7):
            granted.append((dossier.filiere, current))
            continue
        until = _extension_until(now)
        DeadlineExtension.objects.create(
            campaign=campaign,
            filiere=dossier.filiere,
            until=until,
            reason=EXTENSION_REASON,
            granted_by=instructor,
            created_at=now,
        )
        granted.append((dossier.filiere, until))
    return granted


def _delete_demo(campaign):
    """--reset: remove the demo campaign, its dossiers (audit rows included) and demo users."""

    dossiers = Dossier.objects.filter(campaign=campaign)
    using = router.db_for_write(Dossier)
    # History and snapshots are append-only for everyone else; the demo reset is the
    # one place allowed to drop them, and only for the demo campaign.
    HistoryEntry.objects.filter(dossier__in=dossiers)._raw_delete(using)
    Snapshot.objects.filter(dossier__in=dossiers)._raw_delete(using)
    for attachment in Attachment.objects.filter(dossier__in=dossiers):
        attachment.file.delete(save=False)
    dossiers.delete()
    campaign.delete()
    User.objects.filter(username__in=[a.username for a in ACCOUNTS]).delete()


def seed_demo(*, reset=False, now=None):
    """Load the demo (or find it already loaded); return a DemoReport."""

    started = time.monotonic()
    now = now or timezone.now()
    # Seeding fires real transitions: their notifications must not reach anyone.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        campaign = Campaign.objects.filter(slug=DEMO_SLUG).first()
        if campaign is not None and reset:
            try:
                _delete_demo(campaign)
            except ProtectedError as exc:
                raise Conflict(
                    "Réinitialisation impossible : des données d'autres fonctions dépendent de la "
                    f"démonstration ({exc.args[0]}). Supprimez la base de démonstration "
                    "(make clean) puis relancez make run."
                ) from None
            campaign = None
        if campaign is not None and campaign.dossiers.exists():
            instructor = User.objects.filter(username="instructeur").first()
            report = DemoReport(campaign, created=False)
            report.extensions = ensure_demo_extensions(campaign, instructor, now)
        else:
            _create_demo_users()
            load_campaign(campaign_spec(), now=now)
            campaign = Campaign.objects.get(slug=DEMO_SLUG)
            report = DemoReport(campaign, created=True)
            users = {
                u.username: u
                for u in User.objects.filter(username__in=[a.username for a in ACCOUNTS])
            }
            refs = _reference()
            finess = _Finess()
            filieres = {f.slug: f for f in campaign.filieres.all()}
            for slug, (code, state, n_projects) in FILIERES.items():
                if campaign.dossiers.filter(filiere=filieres[slug]).exists():
                    continue
                _build_dossier(
                    filieres[slug],
                    users[f"porteur.{slug}"],
                    users,
                    code,
                    state,
                    n_projects,
                    refs,
                    finess,
                    now,
                )
            report.extensions = ensure_demo_extensions(campaign, users["instructeur"], now)
        report.states = Counter(campaign.dossiers.values_list("state", flat=True))
    report.seconds = time.monotonic() - started
    return report
