"""Schemas of the dossier endpoints: the dossier document of api.md, and the inputs.

The parts (identity, diagnostic, SWOT) use the same models for input and
output. Their leaves are "loose" (see common.api_input): documented with their
type, validated by dossiers.domain.parts, exactly like the forms. Extra keys
are allowed so that the document is never truncated on its way out."""

from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, Strict, WithJsonSchema

from common.api_input import (
    LooseBool,
    LooseDate,
    LooseDecimal,
    LooseInt,
    LooseMoney,
    LooseText,
    LooseTextList,
    choice_of,
    loose,
    nullable,
)
from dossiers.enums import (
    LegalStatus,
    LineCategory,
    LineNature,
    MemberRole,
    MemberType,
    Mission,
    MissionStatus,
    Opinion,
    Section,
)

StrictInt = Annotated[int, Strict()]
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
OptDateTime = Annotated[
    str | None, WithJsonSchema(nullable({"type": "string", "format": "date-time"}))
]
OptDate = Annotated[str | None, WithJsonSchema(nullable({"type": "string", "format": "date"}))]
Money = Annotated[str | None, WithJsonSchema(nullable({"type": "string", "example": "52000.00"}))]
# An identifier not given is "" in the dossier (and accepted as such): documented so.
Finess = loose({"type": "string", "pattern": r"^((\d{2}|2A|2B)\d{7})?$", "example": "290000017"})
Siret = loose({"type": "string", "pattern": r"^(\d{14})?$"})


class Part(BaseModel):
    # A plain pydantic model: ninja's Schema would accept any object (a string
    # for `lead_structure`...) as an empty model.
    model_config = ConfigDict(extra="allow")


class In(BaseModel):
    """Request bodies: a JSON object, extra (read-only) keys ignored."""


# --- The parts: identity sheet, diagnostic, SWOT (input and output) ---------


class LeadStructure(Part):
    name: LooseText = None
    finess: Finess = None
    legal_status: choice_of(LegalStatus) = None
    address: LooseText = None
    representative_name: LooseText = None
    representative_title: LooseText = None


class Coordinator(Part):
    name: LooseText = None
    email: loose({"type": "string", "format": "email"}) = None
    phone: LooseText = None


class Member(Part):
    type: choice_of(MemberType) = None
    name: LooseText = None
    finess: Finess = None
    siret: Siret = None
    role: choice_of(MemberRole) = None


class Identity(Part):
    name: LooseText = None
    lead_structure: LeadStructure | None = None
    coordinator: Coordinator | None = None
    members: list[Member] | None = None
    governance: LooseText = None
    convention_signed: LooseBool = None
    actors_justification: LooseText = None


class MissionCoverage(Part):
    code: choice_of(Mission) = None
    status: choice_of(MissionStatus) = None
    comment: LooseText = None


class Diagnostic(Part):
    population: LooseInt = None
    minors: LooseInt = None
    over_75: LooseInt = None
    area_km2: LooseDecimal = None
    access_notes: LooseText = None
    lisp_beds: LooseInt = None
    usp_beds: LooseInt = None
    emsp_count: LooseInt = None
    had_count: LooseInt = None
    ehpad_count: LooseInt = None
    ehpad_residents: LooseInt = None
    had_patients: LooseInt = None
    other_housing_count: LooseInt = None
    specialised_team_establishments: LooseInt = None
    needs: LooseText = None
    levers: LooseText = None
    corrective_actions: LooseText = None
    prospective: LooseText = None
    dac_count: LooseInt = None
    cpts_count: LooseInt = None
    volunteer_associations: LooseInt = None
    missions: list[MissionCoverage] | None = Field(
        None, description="Une entrée par mission de l'instruction du 21 juin 2023."
    )


class Swot(Part):
    strengths: LooseTextList = None
    weaknesses: LooseTextList = None
    opportunities: LooseTextList = None
    threats: LooseTextList = None


# --- Project sheets and funding lines (output) -------------------------------


class LineOut(Schema):
    model_config = ConfigDict(extra="allow")

    id: int
    label: str
    nature: LineNature
    category: LineCategory
    etp: str | None = None
    staff_profile: str | None = None
    amount: Money
    first_year: int | None
    beneficiary_finess: str
    proposed: Money = Field(None, description="Absent ou null pour qui ne peut pas le voir.")
    proposal_opinion: Opinion | None = None
    granted: Money = Field(None, description="Null pour le porteur tant que non décidé.")
    start_month: OptDate = None
    version: int | None = Field(
        None, description="À renvoyer dans PATCH pour détecter les modifications concurrentes."
    )


class ProjectOut(Schema):
    model_config = ConfigDict(extra="allow")

    id: int
    priority: int | None
    title: str
    objectives: str
    actions: str
    start: OptDate
    end: OptDate
    pilot: str
    partners: str
    indicators: str
    swot_items: list[str] = []
    missions: list[str] = []
    version: int | None = Field(
        None, description="À renvoyer dans PATCH pour détecter les modifications concurrentes."
    )
    lines: list[LineOut]


class Totals(Schema):
    requested_recurring: Money
    requested_one_off: Money
    granted_recurring: Money
    granted_one_off: Money


class AttachmentRef(Schema):
    id: int
    section: Section
    project: int | None
    name: str
    size: int
    content_type: str
    sha256: str


class CompletionRequest(Schema):
    message: str
    due_date: OptDate


class DossierOut(Schema):
    """The whole dossier (api.md), the same shape as the snapshots."""

    model_config = ConfigDict(extra="allow")

    id: int
    campaign: str
    filiere: str
    state: str
    outcome: str | None
    recognised: bool | None = None
    version: int
    proposal_version: int | None = Field(
        None,
        description="Version de la proposition ARS (null pour qui ne la voit pas) : à renvoyer "
        "dans PUT dossiers/{id}/proposal pour détecter les modifications concurrentes.",
    )
    submitted_at: OptDateTime
    identity: Identity
    diagnostic: Diagnostic
    swot: Swot
    projects: list[ProjectOut]
    totals: Totals
    completion_request: CompletionRequest | None = None
    attachments: list[AttachmentRef] | None = None


class DossierSummaryOut(Schema):
    id: int
    campaign: str
    filiere: str
    state: str
    outcome: str | None
    version: int
    submitted_at: OptDateTime
    totals: Totals


# --- Inputs ------------------------------------------------------------------


class DossierCreateIn(In):
    campaign: str = Field(description="Identifiant (slug) de la campagne.")
    filiere: str = Field(description="Identifiant (slug) de la filière.")


class DossierPatchIn(In):
    version: StrictInt = Field(description="La version du dossier lue par le client.")
    identity: Identity | None = None
    diagnostic: Diagnostic | None = None
    swot: Swot | None = None


class ProjectIn(In):
    priority: loose({"type": "integer", "minimum": 1}) = None
    title: LooseText = None
    objectives: LooseText = None
    actions: LooseText = None
    start: LooseDate = None
    end: LooseDate = None
    pilot: LooseText = None
    partners: LooseText = None
    indicators: LooseText = None
    swot_items: LooseTextList = None
    missions: loose(
        {"type": "array", "items": {"type": "string", "enum": list(Mission.values)}}
    ) = None


class ProjectPatchIn(ProjectIn):
    version: StrictInt | None = Field(
        None, description="Version de la fiche lue par le client : 409 si elle a changé."
    )


class LineIn(In):
    label: LooseText = None
    nature: choice_of(LineNature) = None
    category: choice_of(LineCategory) = None
    etp: LooseDecimal = None
    staff_profile: LooseText = None
    amount: LooseMoney = None
    first_year: loose({"type": "integer", "minimum": 2000, "maximum": 2100}) = None
    beneficiary_finess: Finess = None


class LinePatchIn(LineIn):
    version: StrictInt | None = Field(
        None, description="Version de la ligne lue par le client : 409 si elle a changé."
    )


class TransitionIn(In):
    comment: str | None = Field(None, description="Obligatoire pour return_for_completion.")
    due_date: Annotated[
        str | None, WithJsonSchema(nullable({"type": "string", "format": "date"}))
    ] = Field(None, description="AAAA-MM-JJ ; obligatoire pour return_for_completion.")


class DueDateIn(In):
    due_date: Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})] = Field(
        None, description="AAAA-MM-JJ : la nouvelle date limite de réponse, pas passée."
    )
    reason: str | None = Field(None, description="Motif de la prolongation (obligatoire).")


# --- Other outputs -----------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class ProblemOut(Schema):
    field: str
    message: str


class ParticipationOut(Schema):
    named: list[str]
    present: list[str]
    missing: list[str]
    justification: str


class CheckOut(Schema):
    complete: bool
    problems: list[ProblemOut]
    # Not blocking: the call's actors missing and not justified (dossiers.domain.participation).
    warnings: list[ProblemOut]
    participation: ParticipationOut


class TransitionOut(Schema):
    name: str
    label: str


class HistoryOut(Schema):
    from_state: str
    to_state: str
    by: str | None = Field(
        description="Pour l'ARS et la CARESP : l'identifiant de la personne. Pour la filière : "
        "« l'ARS » ou « la CARESP » pour le personnel (jamais son identifiant), le nom du "
        "co-rédacteur sinon."
    )
    at: DateTime
    comment: str


class SnapshotOut(Schema):
    number: int
    created_at: DateTime
    created_by: str | None
    content_sha256: str


class SnapshotDetailOut(SnapshotOut):
    content: dict[str, Any] = Field(
        description="Le dossier tel que déposé ; son empreinte SHA-256 (JSON canonique : clés triées, séparateurs compacts, UTF-8) est content_sha256."
    )
