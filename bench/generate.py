#!/usr/bin/env python
"""Generate national-scale data into a throwaway database, for bench/run.py.

18 regions → 18 open campaigns, N dossiers spread over them in every state
(with their history and submitted snapshot), 10–40 project sheets each with
1–4 funding lines, one lead per filière and staff in every role.

    .venv/bin/python bench/generate.py                 # 5,000 dossiers into var/bench.sqlite3
    .venv/bin/python bench/generate.py --dossiers 500
    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/bench --erase

The SQLite file is always recreated. Any other database is migrated and must be
empty, unless --erase is given (then every table is emptied first: never point
it at a database you care about). The data bypasses the workflow on purpose
(states, history and snapshots are written in bulk): it is for measuring, not
for checking rules.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = BASE_DIR / "var" / "bench.sqlite3"
BATCH = 2000
PASSWORD = "bench-mot-de-passe-2025"

# Regions and their population (millions, rounded): the dossiers are spread over the
# campaigns in proportion, so the campaigns range from ~20 dossiers (Mayotte) to
# ~900 (Île-de-France) at 5,000 and the benchmark can compare a page's query count
# on the smallest and the largest campaign.
REGIONS = {
    "Auvergne-Rhône-Alpes": 8.1,
    "Bourgogne-Franche-Comté": 2.8,
    "Bretagne": 3.4,
    "Centre-Val de Loire": 2.6,
    "Corse": 0.35,
    "Grand Est": 5.6,
    "Hauts-de-France": 6.0,
    "Île-de-France": 12.3,
    "Normandie": 3.3,
    "Nouvelle-Aquitaine": 6.1,
    "Occitanie": 6.1,
    "Pays de la Loire": 3.9,
    "Provence-Alpes-Côte d'Azur": 5.1,
    "Guadeloupe": 0.38,
    "Martinique": 0.35,
    "Guyane": 0.29,
    "La Réunion": 0.87,
    "Mayotte": 0.31,
}
TERRITORIES_PER_CAMPAIGN = 8
# Share of the dossiers in each state.
STATE_WEIGHTS = {
    "draft": 25,
    "submitted": 15,
    "caresp_review": 15,
    "ars_analysis": 15,
    "returned": 5,
    "decided": 20,
    "withdrawn": 5,
}
# The transitions that led to each state, for the history.
PATHS = {
    "draft": [],
    "submitted": [("submit", "draft", "submitted")],
    "caresp_review": [
        ("submit", "draft", "submitted"),
        ("start_caresp_review", "submitted", "caresp_review"),
    ],
    "ars_analysis": [
        ("submit", "draft", "submitted"),
        ("start_caresp_review", "submitted", "caresp_review"),
        ("start_ars_analysis", "caresp_review", "ars_analysis"),
    ],
    "returned": [
        ("submit", "draft", "submitted"),
        ("start_caresp_review", "submitted", "caresp_review"),
        ("return_for_completion", "caresp_review", "returned"),
    ],
    "decided": [
        ("submit", "draft", "submitted"),
        ("start_caresp_review", "submitted", "caresp_review"),
        ("start_ars_analysis", "caresp_review", "ars_analysis"),
        ("decide", "ars_analysis", "decided"),
    ],
    "withdrawn": [
        ("submit", "draft", "submitted"),
        ("withdraw", "submitted", "withdrawn"),
    ],
}
STAFF_PER_REGION = {"caresp_reviewer": 3, "ars_instructor": 2, "ars_decider": 1}


def database_url(url=None):
    return url or os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def setup_django(url=None):
    """Point Django at the benchmark database (before setup) and start it."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database_url(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")
    os.environ.setdefault("EMAIL_URL", "locmem://")
    import django

    django.setup()


def batched_create(model, objects):
    created = []
    for start in range(0, len(objects), BATCH):
        created += model.objects.bulk_create(objects[start : start + BATCH])
    return created


def slugify_region(name):
    from django.utils.text import slugify

    return slugify(name)


class Timer:
    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.steps = []

    def step(self, name, rows):
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        self.steps.append((name, rows, elapsed))
        print(f"  {name:<34} {rows:>9} lignes {elapsed:7.1f} s", flush=True)

    @property
    def total(self):
        return time.perf_counter() - self.start


def prepare_database(url, erase):
    from django.core.management import call_command
    from django.db import connection

    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    from campaign.models import Campaign

    if Campaign.objects.exists():
        if not erase:
            sys.exit(
                f"La base {connection.settings_dict['NAME']} contient déjà des données : "
                "relancez avec --erase pour la vider (toutes ses tables)."
            )
        call_command("flush", verbosity=0, interactive=False)


def spread(total, weights):
    """Split `total` in proportion to `weights` (largest remainders; at least 1 each)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [max(1, int(x)) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[by_remainder[i % len(parts)]] += 1
        i += 1
    while sum(parts) > total:
        largest = max(range(len(parts)), key=parts.__getitem__)
        parts[largest] -= 1
    return parts


ZERO = Decimal("0.00")
# Envelope amendments: every envelope starts at the call's amount and
# is raised once or twice, the last raise leaving it just above what is granted.
INITIAL_ENVELOPES = {"recurring": Decimal("1600000.00"), "one_off": Decimal("400000.00")}


def budget(rng, campaigns, envelopes, lines, state_of, staff):
    """Envelope amendments (the envelopes end above what is granted) and delegations."""
    from budget.models import Delegation, DelegationInstrument, Envelope, EnvelopeAmendment

    granted = {}
    for line in lines:
        if line.granted:
            key = (state_of[line.project.dossier_id][2], line.nature)
            granted[key] = granted.get(key, ZERO) + line.granted
    decider_of = {}
    for role, user in staff:
        if role == "ars_decider":
            decider_of.setdefault(user.last_name, user)
    region_of = {c.pk: c.region.name for c in campaigns}
    amendments = []
    for envelope in envelopes:
        amount = INITIAL_ENVELOPES[envelope.kind]
        needed = granted.get((envelope.campaign_id, envelope.kind), ZERO)
        steps = [amount * Decimal("1.25")]
        # Round the last raise up to the next 100,000 € above what is granted (+5 %).
        final = max(
            steps[-1],
            (needed * Decimal("1.05") / 100000).to_integral_value(rounding="ROUND_CEILING")
            * 100000,
        )
        if final > steps[-1]:
            steps.append(final)
        when = dt.date(2025, 3, 15)
        for new_amount in steps:
            amendments.append(
                EnvelopeAmendment(
                    envelope=envelope,
                    date=when,
                    previous_amount=amount,
                    new_amount=new_amount,
                    reason="Crédits complémentaires de la stratégie décennale des soins palliatifs.",
                    created_by=decider_of[region_of[envelope.campaign_id]],
                )
            )
            amount, when = new_amount, when + dt.timedelta(days=60)
        envelope.amount = amount
    Envelope.objects.bulk_update(envelopes, ["amount"])
    batched_create(EnvelopeAmendment, amendments)

    instruments = list(DelegationInstrument.values)
    delegations = []
    for line in lines:
        if not line.granted or rng.random() > 0.3:
            continue
        decider = decider_of[region_of[state_of[line.project.dossier_id][2]]]
        first = line.granted if rng.random() < 0.5 else (line.granted / 2).quantize(Decimal("0.01"))
        parts = (
            [first]
            if first == line.granted or rng.random() < 0.5
            else [first, line.granted - first]
        )
        for index, part in enumerate(parts):
            delegations.append(
                Delegation(
                    line=line,
                    date=dt.date(2025, 7 + 3 * index, 15),
                    amount=part,
                    instrument=rng.choice(instruments),
                    beneficiary_finess=line.beneficiary_finess,
                    created_by=decider,
                )
            )
    batched_create(Delegation, delegations)
    return {"envelopeamendment": len(amendments), "delegation": len(delegations)}


def extensions_for(rng, dossier_rows, campaigns, instructor_of, region_of):
    """Individual deadline extensions for a few filières still writing (draft or returned)."""
    from campaign.models import DeadlineExtension

    deadline_of = {c.pk: c.deadline for c in campaigns}
    rows = [
        DeadlineExtension(
            campaign_id=d.campaign_id,
            filiere_id=d.filiere_id,
            until=deadline_of[d.campaign_id] + dt.timedelta(days=rng.choice((7, 10, 15))),
            reason="Changement de coordinateur de la filière.",
            granted_by=instructor_of[region_of[d.campaign_id]],
        )
        for d in dossier_rows
        if d.state in ("draft", "returned") and rng.random() < 0.05
    ]
    return batched_create(DeadlineExtension, rows)


# Reviews by dossier state: (share of the assigned reviewers who submitted, share with a
# draft in progress). Dossiers reach ARS analysis once the CARESP reviews are in.
REVIEW_PROGRESS = {
    "submitted": (0.0, 0.0),
    "caresp_review": (0.5, 0.3),
    "returned": (0.5, 0.2),
    "ars_analysis": (1.0, 0.0),
    "decided": (1.0, 0.0),
}


def scoring(rng, campaigns, dossier_rows, projects, staff, now):
    """A grid per campaign (the nine default criteria), reviewer assignments (two CARESP
    reviewers, sometimes an ARS instructor too), reviews with a score per criterion and
    opinions on the first project sheets, conflicts of interest, internal comments."""
    from dossiers.enums import Opinion
    from scoring.domain.grid import DEFAULT_CRITERIA, DEFAULT_SCALE
    from scoring.models import (
        ConflictOfInterest,
        Criterion,
        CriterionScore,
        Grid,
        InternalComment,
        ProjectOpinion,
        Review,
        ReviewerAssignment,
    )

    grids = batched_create(
        Grid,
        [
            Grid(campaign=c, scale_min=DEFAULT_SCALE[0], scale_max=DEFAULT_SCALE[1])
            for c in campaigns
        ],
    )
    criteria = batched_create(
        Criterion,
        [
            Criterion(
                grid=g,
                code=code,
                label=str(label),
                group=group,
                weight=weight,
                position=index + 1,
            )
            for g in grids
            for index, (code, label, group, weight) in enumerate(DEFAULT_CRITERIA)
        ],
    )
    grid_of = {g.campaign_id: g for g in grids}
    criteria_of = {}
    for criterion in criteria:
        criteria_of.setdefault(criterion.grid_id, []).append(criterion)
    region_of = {c.pk: c.region.name for c in campaigns}
    by_region = {}
    for role, user in staff:
        by_region.setdefault((role, user.last_name), []).append(user)
    first_projects = {}
    for project in projects:
        if project.priority <= 3:
            first_projects.setdefault(project.dossier_id, []).append(project)

    opinions = list(Opinion.values)
    assignments, conflicts, reviews, comments = [], [], [], []
    review_extras = []  # (review, criteria, projects, submitted)
    for d in dossier_rows:
        if d.state not in REVIEW_PROGRESS:
            continue
        region = region_of[d.campaign_id]
        caresp = by_region[("caresp_reviewer", region)]
        instructors = by_region[("ars_instructor", region)]
        at = d.submitted_at + dt.timedelta(days=1)
        if d.state == "submitted" and rng.random() < 0.5:
            continue  # not assigned yet
        chosen = rng.sample(caresp, 2)
        if rng.random() < 0.3:
            chosen.append(rng.choice(instructors))
        if rng.random() < 0.05:
            # The CARESP reviewer left out declared a conflict of interest.
            other = next(u for u in caresp if u not in chosen)
            conflicts.append(
                ConflictOfInterest(
                    dossier=d,
                    reviewer=other,
                    reason="Je suis salarié(e) de la structure porteuse.",
                    at=at,
                )
            )
        submitted_share, draft_share = REVIEW_PROGRESS[d.state]
        for reviewer in chosen:
            assignments.append(
                ReviewerAssignment(dossier=d, reviewer=reviewer, assigned_by=instructors[0], at=at)
            )
            draw = rng.random()
            if draw >= submitted_share + draft_share:
                continue
            submitted = draw < submitted_share
            review = Review(
                dossier=d,
                reviewer=reviewer,
                reviewer_role="caresp_reviewer" if reviewer in caresp else "ars_instructor",
                opinion=rng.choices(opinions, (5, 3, 2))[0] if submitted else "",
                comment="Dossier solide, gouvernance à préciser." if submitted else "",
                created_at=at,
                updated_at=at + dt.timedelta(days=3),
                submitted_at=at + dt.timedelta(days=5) if submitted else None,
            )
            reviews.append(review)
            review_extras.append(
                (
                    review,
                    criteria_of[grid_of[d.campaign_id].pk],
                    first_projects.get(d.pk, []),
                    submitted,
                )
            )
        if d.state in ("caresp_review", "ars_analysis", "decided", "returned"):
            for index in range(rng.randint(0, 3)):
                comments.append(
                    InternalComment(
                        dossier=d,
                        author=rng.choice(chosen),
                        text="Point à vérifier avec l'ARS : articulation avec le DAC.",
                        ars_only=index == 2,
                        at=at + dt.timedelta(days=index + 1),
                    )
                )
    batched_create(ReviewerAssignment, assignments)
    batched_create(ConflictOfInterest, conflicts)
    batched_create(InternalComment, comments)
    reviews = batched_create(Review, reviews)
    scores, project_opinions = [], []
    for review, review_criteria, review_projects, submitted in review_extras:
        for criterion in review_criteria if submitted else review_criteria[:4]:
            scores.append(
                CriterionScore(
                    review=review,
                    criterion=criterion,
                    score=rng.choices((0, 1, 2, 3, 4), (1, 2, 4, 5, 3))[0],
                )
            )
        if submitted:
            for project in review_projects:
                project_opinions.append(
                    ProjectOpinion(
                        review=review,
                        project=project,
                        project_title=project.title,
                        opinion=rng.choices(opinions, (6, 3, 1))[0],
                    )
                )
    batched_create(CriterionScore, scores)
    batched_create(ProjectOpinion, project_opinions)
    return {
        "grid": len(grids),
        "criterion": len(criteria),
        "reviewerassignment": len(assignments),
        "conflictofinterest": len(conflicts),
        "review": len(reviews),
        "criterionscore": len(scores),
        "projectopinion": len(project_opinions),
        "internalcomment": len(comments),
    }


def generate(dossiers=5000, seed=2025, url=None, erase=False):
    """Fill the benchmark database; returns {table: rows} and prints the time of each step."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import RoleGrant, User
    from budget.models import Envelope
    from campaign.enums import CampaignState
    from campaign.models import Campaign, Filiere, Region, Territory
    from common.identifiers import finess_with_key
    from common.money import CENT
    from dossiers.domain.access import with_document_relations
    from dossiers.domain.serialize import content_hash, dossier_document
    from dossiers.enums import LineCategory, LineNature, Mission, Opinion, Outcome
    from dossiers.models import Dossier, FundingLine, HistoryEntry, Project, Snapshot
    from tests.factories import complete_diagnostic, complete_identity, complete_swot

    url = database_url(url)
    rng = random.Random(seed)
    now = timezone.now()
    timer = Timer()
    print(f"Génération de {dossiers} dossiers dans {url}")
    prepare_database(url, erase)
    timer.step("schéma (migrate)", 0)
    counts = {}
    password = make_password(PASSWORD)

    with transaction.atomic():
        region_rows = {r.name: r for r in Region.objects.filter(name__in=list(REGIONS))}
        campaigns = batched_create(
            Campaign,
            [
                Campaign(
                    slug=f"{slugify_region(region)}-2025",
                    name=f"Reconnaissance des filières palliatives — {region} 2025",
                    region=region_rows[region],
                    # Open to applications (a draft call is seen by its region's staff only).
                    state=CampaignState.PUBLISHED,
                    opens_at=now - dt.timedelta(days=60),
                    deadline=now + dt.timedelta(days=30),
                    decision_date=dt.date(2025, 6, 30),
                    first_delegation_date=dt.date(2025, 7, 15),
                )
                for region in REGIONS
            ],
        )
        envelopes = batched_create(
            Envelope,
            [
                Envelope(campaign=c, kind=kind, amount=Decimal(amount))
                for c in campaigns
                for kind, amount in (("recurring", "1600000.00"), ("one_off", "400000.00"))
            ],
        )
        territories = batched_create(
            Territory,
            [
                Territory(
                    region=c.region,
                    code=f"T{i + 1}",
                    name=f"Territoire de santé {i + 1} — {c.region.name}",
                    departements=[f"{(ci * 5 + i) % 95 + 1:02d}"],
                )
                for ci, c in enumerate(campaigns)
                for i in range(TERRITORIES_PER_CAMPAIGN)
            ],
        )
        counts.update(campaign=len(campaigns), envelope=len(envelopes), territory=len(territories))
        territories_of = {
            c.pk: [t for t in territories if t.region_id == c.region_id] for c in campaigns
        }
        batched_create(
            Campaign.territories.through,
            [
                Campaign.territories.through(campaign_id=c.pk, territory_id=t.pk)
                for c in campaigns
                for t in territories_of[c.pk]
            ],
        )

        per_campaign = spread(dossiers, list(REGIONS.values()))
        filieres = batched_create(
            Filiere,
            [
                Filiere(
                    region=c.region,
                    slug=f"filiere-{i + 1:04d}",
                    name=f"Filière {c.region.name} n° {i + 1}",
                )
                for c, n in zip(campaigns, per_campaign, strict=True)
                for i in range(n)
            ],
        )
        campaign_of = {r: c.pk for c in campaigns for r in [c.region_id]}
        for f in filieres:
            f.campaign_id = campaign_of[f.region_id]  # the campaign it takes part in
        batched_create(
            Campaign.filieres.through,
            [
                Campaign.filieres.through(campaign_id=f.campaign_id, filiere_id=f.pk)
                for f in filieres
            ],
        )
        links = []
        for f in filieres:
            for t in rng.sample(territories_of[f.campaign_id], rng.choice((1, 1, 2))):
                links.append(Filiere.territories.through(filiere_id=f.pk, territory_id=t.pk))
        batched_create(Filiere.territories.through, links)
        counts.update(filiere=len(filieres), filiere_territories=len(links))
        timer.step("campagnes, territoires, filières", len(filieres) + len(links))

        leads = batched_create(
            User,
            [
                User(
                    username=f"porteur-{f.pk}",
                    email=f"porteur-{f.pk}@bench.example.fr",
                    first_name="Porteur",
                    last_name=f.name,
                    password=password,
                )
                for f in filieres
            ],
        )
        staff = []
        for ci, c in enumerate(campaigns):
            for role, n in STAFF_PER_REGION.items():
                for i in range(n):
                    staff.append(
                        (
                            role,
                            User(
                                username=f"{role}-{ci + 1:02d}-{i + 1}",
                                email=f"{role}-{ci + 1:02d}-{i + 1}@bench.example.fr",
                                first_name=role,
                                last_name=c.region.name,
                                password=password,
                            ),
                        )
                    )
        staff.append(
            (
                "admin",
                User(username="admin-bench", password=password, is_staff=True, is_superuser=True),
            )
        )
        batched_create(User, [u for _role, u in staff])
        batched_create(
            RoleGrant,
            [RoleGrant(user=u, role="filiere_lead") for u in leads]
            + [
                RoleGrant(
                    user=u,
                    role=role,
                    region=None if role == "admin" else region_rows[u.last_name],
                )
                for role, u in staff
            ],
        )
        batched_create(
            Filiere.editors.through,
            [
                Filiere.editors.through(filiere_id=f.pk, user_id=u.pk)
                for f, u in zip(filieres, leads, strict=True)
            ],
        )
        counts.update(user=len(leads) + len(staff))
        timer.step("utilisateurs et rôles", len(leads) * 3 + len(staff) * 2)

        lead_of = {f.pk: u for f, u in zip(filieres, leads, strict=True)}
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        identity, diagnostic, swot = complete_identity(), complete_diagnostic(), complete_swot()
        missions = list(Mission.values)
        dossier_rows = []
        for f in filieres:
            state = rng.choices(states, weights)[0]
            created = now - dt.timedelta(days=rng.randint(20, 59), minutes=rng.randint(0, 1440))
            submitted = (
                created + dt.timedelta(days=rng.randint(1, 15)) if state != "draft" else None
            )
            outcome = ""
            if state == "decided":
                outcome = rng.choices(Outcome.values, (2, 6, 2))[0]
            dossier_rows.append(
                Dossier(
                    campaign_id=f.campaign_id,
                    filiere=f,
                    created_by=lead_of[f.pk],
                    state=state,
                    outcome=outcome,
                    version=rng.randint(1, 40),
                    identity={**identity, "name": f.name},
                    diagnostic=diagnostic,
                    swot=swot,
                    created_at=created,
                    updated_at=submitted or created,
                    submitted_at=submitted,
                    returned_from="caresp_review" if state == "returned" else "",
                    return_message="Merci de préciser le diagnostic."
                    if state == "returned"
                    else "",
                    return_due_date=(now + dt.timedelta(days=15)).date()
                    if state == "returned"
                    else None,
                    decided_at=submitted + dt.timedelta(days=30) if state == "decided" else None,
                    decision_comment="Décision motivée." if state == "decided" else "",
                )
            )
        dossier_rows = batched_create(Dossier, dossier_rows)
        counts["dossier"] = len(dossier_rows)
        timer.step("dossiers", len(dossier_rows))

        state_of = {d.pk: (d.state, d.outcome, d.campaign_id) for d in dossier_rows}
        opinions = list(Opinion.values)
        projects = []
        for d in dossier_rows:
            # The ARS instructor's opinion per project sheet (proposal), from ars_analysis on.
            reviewed = d.state in ("ars_analysis", "decided")
            for rank in range(1, rng.randint(10, 40) + 1):
                projects.append(
                    Project(
                        dossier=d,
                        priority=rank,
                        title=f"Fiche {rank} : renforcer la filière ({rng.choice(missions)})",
                        objectives="Couvrir tous les lieux de vie du territoire. " * 3,
                        actions="Recrutement, formation, coordination des acteurs. " * 4,
                        start=dt.date(2025, 9, 1),
                        end=dt.date(2027, 12, 31),
                        pilot="Centre hospitalier",
                        partners="HAD, EMSP, CPTS, associations de bénévoles",
                        indicators="Nombre de patients accompagnés à domicile.",
                        missions=rng.sample(missions, 2),
                        proposal_opinion=rng.choices(opinions, (6, 3, 1))[0] if reviewed else "",
                    )
                )
        projects = batched_create(Project, projects)
        counts["project"] = len(projects)
        timer.step("fiches projet", len(projects))

        lines = []
        for p in projects:
            state, outcome, campaign_id = state_of[p.dossier_id]
            for _ in range(rng.randint(1, 4)):
                nature = rng.choice(
                    (LineNature.RECURRING, LineNature.RECURRING, LineNature.ONE_OFF)
                )
                category = rng.choice(LineCategory.values)
                amount = Decimal(rng.randint(50, 1200) * 100)
                line = FundingLine(
                    project=p,
                    label=f"{LineCategory(category).label} — {nature.label}",
                    nature=nature,
                    category=category,
                    etp=Decimal(rng.randint(2, 20)) / 10
                    if category == LineCategory.STAFF
                    else None,
                    staff_profile="Infirmier(e)" if category == LineCategory.STAFF else "",
                    amount=amount,
                    first_year=rng.choice((2025, 2026)),
                    beneficiary_finess=finess_with_key(
                        f"{rng.randint(1, 95):02d}{rng.randint(0, 999999):06d}"
                    ),
                )
                # Proposals: most dossiers in ARS analysis already have some, every decided one.
                if state == "decided" or (state == "ars_analysis" and p.dossier_id % 4):
                    line.proposed = (
                        amount if rng.random() < 0.7 else (amount * 8 / 10).quantize(CENT)
                    )
                    line.proposal_opinion = rng.choices(opinions, (6, 3, 1))[0]
                if state == "decided":
                    # Every line of a decided dossier is granted (0 possible), coherent with
                    # its outcome (budget.domain.decisions._check_outcome).
                    if outcome == Outcome.ACCEPTED:
                        granted = amount
                    elif outcome == Outcome.PARTIALLY_ACCEPTED and p.priority <= 3:
                        granted = amount if rng.random() < 0.6 else (amount * 8 / 10).quantize(CENT)
                    else:
                        granted = ZERO
                    line.granted = granted
                    if granted:
                        line.start_month = dt.date(
                            line.first_year, rng.choice((7, 9, 10, 11, 12)), 1
                        )
                lines.append(line)
        lines = batched_create(FundingLine, lines)
        counts["fundingline"] = len(lines)
        timer.step("lignes de financement", len(lines))

        counts.update(budget(rng, campaigns, envelopes, lines, state_of, staff))
        timer.step(
            "avenants, délégations",
            counts["envelopeamendment"] + counts["delegation"],
        )

        instructor_of = {}
        for role, user in staff:
            if role == "ars_instructor":
                instructor_of.setdefault(user.last_name, user)
        region_of = {c.pk: c.region.name for c in campaigns}
        history = []
        for d in dossier_rows:
            at = d.submitted_at
            for name, source, target in PATHS[d.state]:
                by = lead_of[d.filiere_id] if name in ("submit", "withdraw") else None
                by = by or instructor_of[region_of[d.campaign_id]]
                history.append(
                    HistoryEntry(
                        dossier=d,
                        transition=name,
                        from_state=source,
                        to_state=target,
                        by=by,
                        at=at,
                        comment=d.return_message if name == "return_for_completion" else "",
                    )
                )
                at = at + dt.timedelta(days=rng.randint(1, 10))
        batched_create(HistoryEntry, history)
        counts["historyentry"] = len(history)
        timer.step("historique", len(history))

        extensions = extensions_for(rng, dossier_rows, campaigns, instructor_of, region_of)
        counts["deadlineextension"] = len(extensions)
        timer.step("prolongations de délai", len(extensions))

        scoring_counts = scoring(rng, campaigns, dossier_rows, projects, staff, now)
        counts.update(scoring_counts)
        timer.step("grilles, attributions, évaluations", sum(scoring_counts.values()))

    # The first submission of every dossier that left the draft state, serialized by
    # the real code (same document as a real snapshot).
    submitted_ids = [d.pk for d in dossier_rows if d.state != "draft"]
    snapshots = 0
    for start in range(0, len(submitted_ids), 200):
        with transaction.atomic():
            batch = with_document_relations(
                Dossier.objects.filter(pk__in=submitted_ids[start : start + 200])
            )
            rows = []
            for d in batch:
                content = dossier_document(d)
                rows.append(
                    Snapshot(
                        dossier=d,
                        number=1,
                        transition="submit",
                        created_at=d.submitted_at,
                        created_by=lead_of[d.filiere_id],
                        content=content,
                        content_sha256=content_hash(content),
                    )
                )
            Snapshot.objects.bulk_create(rows)
            snapshots += len(rows)
    counts["snapshot"] = snapshots
    timer.step("instantanés déposés", snapshots)

    # Planner statistics after a bulk load.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
        else:
            cursor.execute("ANALYZE")
    timer.step("statistiques (ANALYZE)", 0)
    print(f"Génération terminée en {timer.total:.1f} s.")
    return counts


def check_database(url):
    """Exit 0 when this PostgreSQL server answers, creating the database if missing."""
    import psycopg

    server, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(
            server.replace("postgres://", "postgresql://", 1) + "/postgres",
            autocommit=True,
            connect_timeout=3,
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL indisponible : {exc}")
        return 1
    return 0


def main(argv=None):
    if argv is None and sys.argv[1:2] == ["--check-database"]:
        sys.exit(check_database(sys.argv[2]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=5000, help="nombre de dossiers (5000)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--database-url",
        help=f"base à remplir (défaut : $BENCH_DATABASE_URL ou sqlite:///{DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--erase", action="store_true", help="vider une base non SQLite qui contient des données"
    )
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    counts = generate(args.dossiers, args.seed, args.database_url, args.erase)
    print(", ".join(f"{table} : {n}" for table, n in counts.items()))


if __name__ == "__main__":
    main()
