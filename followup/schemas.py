"""Schemas of the follow-up endpoints (api.md "Follow-up of recognised filières").

The answers are documented as objects and validated by followup.domain.content (the
forms' own rules and French messages), never converted by pydantic."""

from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, Field, WithJsonSchema

from common.api_input import loose, nullable
from dossiers.schemas import DateTime, Money, OptDate, OptDateTime, ProblemOut, SnapshotOut
from followup.enums import ReportKind, ReportState

OptMoney = Money


class In(BaseModel):
    """Request bodies: a JSON object, extra (read-only) keys ignored."""


class FundingIn(BaseModel):
    line: loose({"type": "integer"}) = None
    spent: loose({"type": "string", "example": "42000.00"}) = None
    etp_filled: loose({"type": "string", "example": "0.80"}) = None
    comment: loose({"type": "string"}) = None


class ReportPatchIn(In):
    version: int = Field(description="La version lue (409 si le rapport a changé depuis).")
    indicators: loose({"type": "object"}) = Field(
        None,
        description="Rapport d'une filière : les clés envoyées remplacent les siennes, les autres sont gardées.",
    )
    answers: loose({"type": "object"}) = Field(
        None, description="Enquête CAR'sp : mêmes règles que `indicators`."
    )
    funding: loose({"type": "array", "items": {"type": "object"}}) = Field(
        None,
        description="[{line, spent, etp_filled, comment}] : une entrée par ligne accordée envoyée ; `spent` ne dépasse pas `granted`.",
    )


class FundingOut(Schema):
    line: int
    project_title: str
    label: str
    nature: str
    granted: OptMoney
    spent: OptMoney
    etp: str | None
    etp_filled: str | None
    comment: str


class ReportAttachmentOut(Schema):
    id: int
    section: str
    name: str
    size: int
    content_type: str
    sha256: str


class ReportOut(Schema):
    id: int
    campaign: str
    kind: Annotated[str, WithJsonSchema({"type": "string", "enum": list(ReportKind.values)})]
    filiere: str | None
    region: str
    year: int | None
    state: Annotated[str, WithJsonSchema({"type": "string", "enum": list(ReportState.values)})]
    version: int
    submitted_at: OptDateTime
    accepted_at: OptDateTime
    deadline: OptDateTime
    return_message: str | None
    return_due_date: OptDate
    indicators: dict[str, Any] | None = None
    answers: dict[str, Any] | None = None
    funding: list[FundingOut] | None = None
    totals: dict[str, OptMoney] | None = None
    attachments: list[ReportAttachmentOut] = []


class ReportSummaryOut(Schema):
    id: int
    campaign: str
    kind: str
    filiere: str | None
    year: int | None
    state: str
    version: int
    submitted_at: OptDateTime
    late: bool


class ReportCheckOut(Schema):
    complete: bool
    problems: list[ProblemOut]


class TransitionIn(In):
    comment: str | None = Field(None, description="Obligatoire pour return_for_completion.")
    due_date: Annotated[
        str | None, WithJsonSchema(nullable({"type": "string", "format": "date"}))
    ] = Field(None, description="AAAA-MM-JJ ; obligatoire pour return_for_completion.")


class ReportHistoryOut(Schema):
    transition: str
    from_state: str
    to_state: str
    by: str | None
    at: DateTime
    comment: str


class ReportSnapshotDetailOut(SnapshotOut):
    content: dict[str, Any]


class FollowupTotalsOut(Schema):
    governance_meetings: int
    partnerships: int
    vacancies_medical_etp: str
    vacancies_paramedical_etp: str
    granted_recurring: str
    granted_one_off: str
    spent: str
    unused: str


class FollowupFiliereOut(Schema):
    filiere: str
    name: str
    state: str
    report: int
    late: bool
    granted_recurring: str
    granted_one_off: str
    spent: str
    unused: str


class FollowupOut(Schema):
    expected: int
    submitted: int
    accepted: int
    late: int
    totals: FollowupTotalsOut
    filieres: list[FollowupFiliereOut]
