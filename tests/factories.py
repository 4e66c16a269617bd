"""Factories for tests, the demo and the benchmark: realistic, valid data."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import REGIONAL_ROLES, Role, RoleGrant, User
from budget.models import Envelope, EnvelopeKind
from campaign.enums import CampaignState
from campaign.models import Campaign, Filiere, Region, Territory
from campaign.reference import load_reference_regions
from common.identifiers import finess_with_key
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, LineCategory, LineNature, Mission, Outcome
from dossiers.models import Dossier, FundingLine, Project

PARIS = dt.timezone(dt.timedelta(hours=1))


BRETAGNE, NORMANDIE = "53", "28"


def region(code=BRETAGNE):
    """A region of the reference data (campaign/data/regions.json, loaded by migration;
    again here when a transactional test emptied the database before)."""
    found = Region.objects.filter(code=code).first()
    if found is None:
        load_reference_regions(Region)
        found = Region.objects.get(code=code)
    return found


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide-2025")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """`roles=[Role.X, (Role.Y, region), …]`: a regional role without a region is
        held in `roles__region` (Bretagne by default)."""
        default_region = kwargs.get("region") or region()
        for grant in extracted or []:
            role, where = grant if isinstance(grant, tuple) else (grant, default_region)
            RoleGrant.objects.create(
                user=self, role=role, region=where if role in REGIONAL_ROLES else None
            )
        self.save()
        self.forget_cached_access()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"campagne-{n}")
    name = factory.LazyAttribute(lambda c: f"Reconnaissance des filières — {c.slug}")
    region = factory.LazyFunction(region)
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=60))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    # A live call unless a test prepares one (the set-up's drafts).
    state = CampaignState.PUBLISHED
    decision_date = dt.date(2025, 6, 30)
    first_delegation_date = dt.date(2025, 7, 15)
    signatory_name = "Élise Kervella"
    signatory_title = "Directrice générale de l'agence régionale de santé"

    @factory.post_generation
    def envelopes(self, create, extracted, **kwargs):
        amounts = extracted or {"recurring": "1600000.00", "one_off": "400000.00"}
        for kind, amount in amounts.items():
            Envelope.objects.get_or_create(
                campaign=self, kind=EnvelopeKind(kind), defaults={"amount": Decimal(amount)}
            )


class _InCampaign(factory.django.DjangoModelFactory):
    """`campaign=…` puts the new territory or filière in that campaign's region and in
    the campaign (a territory it covers, a filière taking part); without it, Bretagne."""

    class Meta:
        abstract = True

    campaign = None
    region = factory.LazyAttribute(lambda o: o.campaign.region if o.campaign else region())

    @classmethod
    def _create(cls, model_class, *args, campaign=None, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        if campaign is not None:
            relation = "territories" if model_class is Territory else "filieres"
            getattr(campaign, relation).add(obj)
        return obj


class TerritoryFactory(_InCampaign):
    class Meta:
        model = Territory

    code = factory.Sequence(lambda n: f"T{n + 1}")
    name = factory.Sequence(lambda n: f"Territoire {n + 1}")
    departements = factory.LazyFunction(lambda: ["29"])


class FiliereFactory(_InCampaign):
    class Meta:
        model = Filiere
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"filiere-{n}")
    name = factory.Sequence(lambda n: f"Filière territoriale {n}")

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if extracted:
            self.territories.set(extracted)

    @factory.post_generation
    def editors(self, create, extracted, **kwargs):
        if extracted:
            self.editors.set(extracted)


def complete_identity(name="Filière Nord Finistère"):
    return {
        "name": name,
        "lead_structure": {
            "name": "CHU de Brest",
            "finess": finess_with_key("29000001"),
            "legal_status": "public",
            "address": "2 avenue Foch\n29200 Brest",
            "representative_name": "Marie Quéré",
            "representative_title": "Directrice générale",
        },
        "coordinator": {
            "name": "Anne Le Goff",
            "email": "coordination@example.fr",
            "phone": "02 98 00 00 00",
        },
        "members": [
            {
                "type": "USP",
                "name": "USP du CHU de Brest",
                "finess": finess_with_key("29000002"),
                "siret": "",
                "role": "expert",
            },
            {
                "type": "HAD",
                "name": "HAD du Ponant",
                "finess": "",
                "siret": "",
                "role": "requérant",
            },
        ],
        "governance": "Comité de pilotage trimestriel",
        "convention_signed": True,
    }


def complete_diagnostic():
    return {
        "population": 560000,
        "minors": 110000,
        "over_75": 62000,
        "area_km2": "3500",
        "access_notes": "Îles et centre Bretagne à plus de 45 minutes d'une USP.",
        "lisp_beds": 40,
        "usp_beds": 12,
        "emsp_count": 5,
        "had_count": 2,
        "ehpad_count": 80,
        "ehpad_residents": 6400,
        "dac_count": 1,
        "cpts_count": 9,
        "volunteer_associations": 4,
        "had_patients": 1200,
        "other_housing_count": 35,
        "specialised_team_establishments": 60,
        "needs": "Accès aux soins palliatifs à domicile dans le centre Bretagne.",
        "levers": "Équipes mobiles et HAD déjà coordonnées par le DAC.",
        "corrective_actions": "Astreinte téléphonique commune aux EMSP.",
        "prospective": "Vieillissement de la population : +20 % de plus de 75 ans en 2035.",
        "missions": [
            {"code": code, "status": "covered" if i % 3 else "partial", "comment": ""}
            for i, code in enumerate(Mission.values)
        ],
    }


def complete_swot():
    return {
        "strengths": ["Équipes mobiles expérimentées"],
        "weaknesses": ["Couverture inégale du centre Bretagne"],
        "opportunities": ["Stratégie décennale des soins d'accompagnement"],
        "threats": ["Difficultés de recrutement médical"],
    }


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    # Either may be given: the filière takes part in the campaign; the campaign of a
    # filière given alone is the latest it takes part in.
    campaign = None
    filiere = None
    identity = None
    diagnostic = factory.LazyFunction(complete_diagnostic)
    swot = factory.LazyFunction(complete_swot)

    @classmethod
    def _create(cls, model_class, *args, campaign=None, filiere=None, identity=None, **kwargs):
        if filiere is None:
            filiere = FiliereFactory(campaign=campaign or CampaignFactory())
        if campaign is None:
            campaign = filiere.campaigns.order_by("-opens_at").first() or CampaignFactory(
                region=filiere.region
            )
        campaign.filieres.add(filiere)
        if identity is None:
            identity = complete_identity(filiere.name)
        return super()._create(
            model_class, *args, campaign=campaign, filiere=filiere, identity=identity, **kwargs
        )


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    dossier = factory.SubFactory(DossierFactory)
    priority = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Renforcer l'équipe mobile — fiche {n + 1}")
    objectives = "Couvrir tous les lieux de vie du territoire."
    actions = "Recrutement d'un infirmier et d'un psychologue."
    start = dt.date(2025, 9, 1)
    end = dt.date(2027, 12, 31)
    pilot = "CHU de Brest"


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    project = factory.SubFactory(ProjectFactory)
    label = "Infirmier de l'équipe mobile"
    nature = LineNature.RECURRING
    category = LineCategory.STAFF
    etp = Decimal("1.00")
    amount = Decimal("52000.00")
    first_year = 2025
    beneficiary_finess = factory.LazyFunction(lambda: finess_with_key("29000001"))


def complete_dossier(**kwargs):
    """A draft dossier that passes the completeness check."""
    dossier = DossierFactory(**kwargs)
    line = FundingLineFactory(project=ProjectFactory(dossier=dossier, priority=1))
    return line.project.dossier


# --- Dossiers in a given state, through the real workflow ------------------------------------

# "returned" may come from either review; `returned` alone is the CARESP one.
RETURNED_FROM_CARESP = "returned_from_caresp"
RETURNED_FROM_ARS = "returned_from_ars"
RETURN_MESSAGES = {
    RETURNED_FROM_CARESP: "Merci de préciser la gouvernance.",
    RETURNED_FROM_ARS: "Merci de chiffrer la fiche 1.",
}
DECISION_COMMENT = "Projet pertinent."


def due_date(days=15):
    return timezone.localdate() + dt.timedelta(days=days)


_default_due_date = due_date


def _workflow_path(state, caresp_review):
    """[(transition, state reached)] from a draft to `state`."""
    if state == DossierState.DRAFT:
        return []
    steps = [("submit", DossierState.SUBMITTED)]
    if state == DossierState.SUBMITTED:
        return steps
    if state == DossierState.WITHDRAWN:
        return [*steps, ("withdraw", DossierState.WITHDRAWN)]
    if caresp_review:
        steps.append(("start_caresp_review", DossierState.CARESP_REVIEW))
    if state == DossierState.CARESP_REVIEW:
        return steps
    if state in (DossierState.RETURNED, RETURNED_FROM_CARESP):
        return [*steps, ("return_for_completion", DossierState.RETURNED)]
    steps.append(("start_ars_analysis", DossierState.ARS_ANALYSIS))
    if state == DossierState.ARS_ANALYSIS:
        return steps
    if state == RETURNED_FROM_ARS:
        return [*steps, ("return_for_completion", DossierState.RETURNED)]
    if state == DossierState.DECIDED:
        return [*steps, ("decide", DossierState.DECIDED)]
    raise ValueError(state)


def _staff(role, region):
    return UserFactory(roles=[(role, region)])


def dossier_in_state(
    state,
    *,
    dossier=None,
    filiere=None,
    lead=None,
    instructor=None,
    decider=None,
    outcome=Outcome.ACCEPTED,
    comment=None,
    due_date=None,
    caresp_review=True,
    now=None,
):
    """A dossier brought to `state` by the real transitions (`dossiers.domain.transitions`).

    `dossier`: the one to move (a complete draft, or a dossier already on the way: the
    walk goes on from its current state); otherwise a new complete draft of `filiere`
    (a new filière when none is given). `lead` fires submit and withdraw (default: the
    filière's first editor, or a new lead), `instructor` the reviews and the return,
    `decider` the decision (both created in the filière's region when not given).
    `state`: a DossierState, or RETURNED_FROM_CARESP / RETURNED_FROM_ARS ("returned" is
    the CARESP one). `caresp_review=False` goes from submitted straight to the ARS
    analysis. `comment`: the return message (default: RETURN_MESSAGES) or the decision's comment; `due_date`: the
    return's due date (default in 15 days); `now`: the moment of every transition."""
    if dossier is None:
        dossier = complete_dossier(filiere=filiere) if filiere else complete_dossier()
    filiere = dossier.filiere
    steps = _workflow_path(state, caresp_review)
    reached = [target for _name, target in steps]
    if dossier.state != DossierState.DRAFT:
        if dossier.state not in reached:
            raise ValueError(f"{dossier.state} is not on the way to {state}")
        steps = steps[reached.index(dossier.state) + 1 :]
    for name, _target in steps:
        kwargs = {"now": now}
        if name in ("submit", "withdraw"):
            if lead is None:
                lead = filiere.editors.order_by("pk").first()
            if lead is None:
                lead = UserFactory(roles=[(Role.FILIERE_LEAD, filiere.region)])
                filiere.editors.add(lead)
            user = lead
        elif name == "decide":
            user = decider = decider or _staff(Role.ARS_DECIDER, filiere.region)
            kwargs.update(outcome=outcome, comment=comment or DECISION_COMMENT)
        else:
            user = instructor = instructor or _staff(Role.ARS_INSTRUCTOR, filiere.region)
            if name == "return_for_completion":
                kwargs.update(
                    comment=comment
                    or RETURN_MESSAGES[
                        RETURNED_FROM_ARS if state == RETURNED_FROM_ARS else RETURNED_FROM_CARESP
                    ],
                    due_date=due_date or _default_due_date(),
                )
        dossier = transition(dossier, name, user, **kwargs)
    return dossier


def draft_dossier(**kwargs):
    """A complete draft (see dossier_in_state for the keywords)."""
    return dossier_in_state(DossierState.DRAFT, **kwargs)


def submitted_dossier(**kwargs):
    return dossier_in_state(DossierState.SUBMITTED, **kwargs)


def in_caresp_review(**kwargs):
    return dossier_in_state(DossierState.CARESP_REVIEW, **kwargs)


def returned_dossier(*, from_ars=False, **kwargs):
    return dossier_in_state(RETURNED_FROM_ARS if from_ars else RETURNED_FROM_CARESP, **kwargs)


def in_ars_analysis(**kwargs):
    return dossier_in_state(DossierState.ARS_ANALYSIS, **kwargs)


def decided_dossier(**kwargs):
    return dossier_in_state(DossierState.DECIDED, **kwargs)


def withdrawn_dossier(**kwargs):
    return dossier_in_state(DossierState.WITHDRAWN, **kwargs)


def new_filiere(campaign, name, *, territories=None):
    """A new filière of `campaign` with its own lead; returns (filière, lead)."""
    lead = UserFactory(roles=[Role.FILIERE_LEAD])
    filiere = FiliereFactory(campaign=campaign, name=name, territories=territories or [])
    filiere.editors.add(lead)
    return filiere, lead


def dossier_in(campaign, state, *, instructor, name="Filière", territories=None, projects=1):
    """A new filière with its complete dossier (`projects` sheets) brought to `state`;
    returns (dossier, lead)."""
    filiere, lead = new_filiere(campaign, name, territories=territories)
    dossier = complete_dossier(filiere=filiere)
    for index in range(1, projects):
        FundingLineFactory(project=ProjectFactory(dossier=dossier, priority=index + 1))
    return dossier_in_state(state, dossier=dossier, lead=lead, instructor=instructor), lead
