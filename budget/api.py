"""Budget API (api.md): proposal, decision, budget, delegations; plus envelopes.

Same rules and messages as the pages: every endpoint calls the budget's domain (budget.domain) and read model (budget.queries).
Money goes out as strings with two decimals and comes in as strings, parsed
strictly (common.money.parse_amount)."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from budget import enums, queries
from budget.domain import decisions, delegations, envelopes, proposals
from budget.models import Delegation
from budget.rules import can_amend_envelope, can_view_budget
from campaign.queries import get_visible_campaign
from common.api_input import check_safe_text
from common.api_pagination import Router, Rows
from common.errors import Forbidden, NotFound
from common.money import money_str
from dossiers.domain.access import get_visible_dossier, with_document_relations
from dossiers.domain.serialize import dossier_document
from dossiers.models import Dossier

router = Router(tags=["budget"])


# ---------------------------------------------------------------- schemas


class ProposalLineIn(Schema):
    line: int
    proposed: str | None = None
    opinion: str | None = None


class ProjectOpinionIn(Schema):
    project: int
    opinion: str | None = None


class ProposalIn(Schema):
    lines: list[ProposalLineIn] = []
    projects: list[ProjectOpinionIn] = []
    version: int | None = Field(
        None,
        description="`proposal_version` du dossier lu par le client : 409 si la proposition "
        "a changé depuis (facultatif).",
    )


class DecisionLineIn(Schema):
    line: int
    granted: str
    start_month: str | None = None
    justification: str | None = None


class DecisionIn(Schema):
    outcome: str
    recognised: bool | None = None
    lines: list[DecisionLineIn]
    comment: str | None = None


class DelegationIn(Schema):
    line: int
    amount: str
    date: str
    instrument: str
    beneficiary_finess: str


class AmendmentIn(Schema):
    new_amount: str
    date: str
    reason: str


class EnvelopeTotalsOut(Schema):
    envelope: str
    requested: str
    proposed: str
    granted: str
    delegated: str
    remaining: str
    proposed_pending: str


class AmountsOut(Schema):
    requested: str
    proposed: str
    granted: str
    delegated: str


class CommitmentOut(Schema):
    year: int
    recurring: str
    one_off: str
    total: str


class TerritoryRowOut(Schema):
    territories: list[str]
    label: str
    recurring: AmountsOut
    one_off: AmountsOut
    by_year: list[CommitmentOut]


class YearRowOut(Schema):
    year: int
    recurring: str
    one_off: str
    total: str
    recurring_envelope: str
    delegated: str


class BudgetOut(Schema):
    campaign: str
    recurring: EnvelopeTotalsOut
    one_off: EnvelopeTotalsOut
    by_territory: list[TerritoryRowOut]
    by_year: list[YearRowOut]
    first_delegation_date: dt.date | None
    planned_first_delegation_date: dt.date | None


class DelegationOut(Schema):
    id: int
    line: int
    dossier: int
    filiere: str
    amount: str
    date: dt.date
    instrument: str
    beneficiary_finess: str
    created_by: str | None
    created_at: dt.datetime
    line_granted: str
    line_delegated: str


class AmendmentOut(Schema):
    date: dt.date
    previous_amount: str | None
    new_amount: str
    reason: str
    created_by: str | None
    created_at: dt.datetime


class EnvelopeOut(Schema):
    kind: str
    amount: str
    granted: str
    remaining: str
    amendments: list[AmendmentOut]


# ---------------------------------------------------------------- helpers


def _money(value):
    if isinstance(value, Decimal):
        return money_str(value)
    if isinstance(value, dict):
        return {key: _money(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_money(item) for item in value]
    return value


def _campaign(request, slug):
    return get_visible_campaign(request.auth, slug)


def _body(payload):
    """The request body as plain data, refused (400) if a text holds NUL or a lone surrogate."""
    return check_safe_text(payload.dict())


def _staff_campaign(request, slug):
    campaign = _campaign(request, slug)
    if not can_view_budget.test(request.auth, campaign):
        raise Forbidden(_("Le budget n'est consultable que par les agents de l'ARS."))
    return campaign


def _dossier(request, dossier_id):
    dossier = get_visible_dossier(request.auth, dossier_id)
    if dossier is None:
        raise NotFound(_("Dossier introuvable."))
    return dossier


def _document(dossier_id):
    dossier = with_document_relations(Dossier.objects.all()).get(pk=dossier_id)
    document = dossier_document(dossier, show_proposal=True, show_grant=True)
    document["proposal_version"] = dossier.proposal_version
    return document


def delegation_out(row, delegated):
    """The document of a delegation_documents row (budget.queries)."""
    return {
        "id": row["id"],
        "line": row["line_id"],
        "dossier": row["line__project__dossier_id"],
        "filiere": row["line__project__dossier__filiere__slug"],
        "amount": money_str(row["amount"]),
        "date": row["date"],
        "instrument": row["instrument"],
        "beneficiary_finess": row["beneficiary_finess"],
        "created_by": row["created_by__username"],
        "created_at": row["created_at"],
        "line_granted": money_str(row["line__granted"]),
        "line_delegated": money_str(delegated),
    }


def envelope_out(envelope, granted):
    return {
        "kind": envelope.kind,
        "amount": money_str(envelope.amount),
        "granted": money_str(granted),
        "remaining": money_str(envelope.amount - granted),
        "amendments": [
            {
                "date": a.date,
                "previous_amount": money_str(a.previous_amount),
                "new_amount": money_str(a.new_amount),
                "reason": a.reason,
                "created_by": a.created_by.username if a.created_by else None,
                "created_at": a.created_at,
            }
            for a in envelope.amendments.all()
        ],
    }


# ---------------------------------------------------------------- endpoints


@router.put("/dossiers/{dossier_id}/proposal", summary="Proposition de l'instructeur ARS")
def put_proposal(request, dossier_id: int, payload: ProposalIn):
    dossier = _dossier(request, dossier_id)
    _body(payload)
    proposals.propose(
        dossier,
        request.auth,
        [line.dict() for line in payload.lines],
        project_opinions=[p.dict() for p in payload.projects],
        version=payload.version,
    )
    return _document(dossier.pk)


@router.post("/dossiers/{dossier_id}/decision", summary="Décision et montants accordés")
def post_decision(request, dossier_id: int, payload: DecisionIn):
    dossier = _dossier(request, dossier_id)
    _body(payload)
    decisions.decide(
        dossier,
        request.auth,
        payload.outcome,
        [line.dict() for line in payload.lines],
        payload.comment,
        recognised=payload.recognised,
    )
    return _document(dossier.pk)


@router.get("/campaigns/{slug}/budget", response=BudgetOut, summary="Tableau de bord budgétaire")
def get_budget(request, slug: str):
    campaign = _staff_campaign(request, slug)
    summary = queries.budget_summary(campaign)
    return {
        "campaign": campaign.slug,
        "recurring": _money(summary["envelopes"]["recurring"]),
        "one_off": _money(summary["envelopes"]["one_off"]),
        "by_territory": _money(summary["by_territory"]),
        "by_year": _money(summary["by_year"]),
        "first_delegation_date": summary["first_delegation_date"],
        "planned_first_delegation_date": summary["planned_first_delegation_date"],
    }


@router.post("/delegations", response={201: DelegationOut}, summary="Délégation de crédits")
def post_delegation(request, payload: DelegationIn):
    _body(payload)
    delegation = delegations.record_delegation(
        request.auth,
        payload.line,
        payload.amount,
        payload.date,
        payload.instrument,
        payload.beneficiary_finess,
    )
    row = queries.delegation_documents(Delegation.objects.filter(pk=delegation.pk)).get()
    delegated = queries.line_delegated(delegation.line_id)
    return Status(201, delegation_out(row, delegated))


@router.get(
    "/campaigns/{slug}/delegations",
    response=list[DelegationOut],
    summary="Délégations de crédits de la campagne",
)
def list_delegations(request, slug: str):
    campaign = _staff_campaign(request, slug)

    def documents(page):
        delegated = queries.delegated_for_lines({row["line_id"] for row in page})
        return [delegation_out(row, delegated.get(row["line_id"])) for row in page]

    # Counted on the stored campaign alone (the rows' joins are not needed to count).
    total = queries.campaign_delegation_set(campaign).count()
    return Rows(queries.campaign_delegations(campaign), documents, total)


@router.get(
    "/campaigns/{slug}/envelopes",
    response=list[EnvelopeOut],
    summary="Enveloppes et historique de leurs modifications",
)
def list_envelopes(request, slug: str):
    campaign = _staff_campaign(request, slug)
    granted = queries.granted_totals(campaign)
    return [envelope_out(e, granted[e.kind]) for e in queries.campaign_envelopes(campaign)]


@router.post(
    "/campaigns/{slug}/envelopes/{kind}/amendments",
    response={201: EnvelopeOut},
    summary="Modifier le montant d'une enveloppe",
)
def post_amendment(request, slug: str, kind: str, payload: AmendmentIn):
    campaign = _campaign(request, slug)
    _body(payload)
    if kind not in enums.KINDS:
        raise NotFound(_("Enveloppe inconnue : recurring ou one_off."))
    if not can_amend_envelope.test(request.auth, campaign):
        raise Forbidden(
            _("Seuls l'administrateur et le décideur ARS peuvent modifier une enveloppe.")
        )
    envelope = envelopes.amend_envelope(
        envelopes.get_envelope(campaign, kind),
        request.auth,
        payload.new_amount,
        payload.date,
        payload.reason,
    )
    envelope = next(e for e in queries.campaign_envelopes(campaign) if e.pk == envelope.pk)
    return Status(201, envelope_out(envelope, queries.granted_totals(campaign)[kind]))
