"""Schemas of the campaign endpoints (api.md: campaigns, territories, filières, extensions)."""

from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, Field, WithJsonSchema

from common.api_input import nullable

DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Date = Annotated[str | None, WithJsonSchema(nullable({"type": "string", "format": "date"}))]
Money = Annotated[
    str | None,
    WithJsonSchema(nullable({"type": "string", "example": "1600000.00"})),
]


class EnvelopesOut(Schema):
    recurring: Money = Field(description="Enveloppe de crédits reconductibles (montant actuel).")
    one_off: Money = Field(description="Enveloppe de crédits ponctuels (montant actuel).")


class CampaignOut(Schema):
    slug: str
    name: str
    region: str
    opens_at: DateTime
    deadline: DateTime
    decision_date: Date
    first_delegation_date: Date
    is_open: bool
    envelopes: EnvelopesOut
    kind: str = Field("call", description="« call » (appel) ou « followup » (suivi annuel).")
    year: int | None = Field(None, description="L'année suivie d'une campagne de suivi.")


class TerritoryOut(Schema):
    code: str
    name: str
    departements: list[str]


class FiliereOut(Schema):
    slug: str
    name: str
    territories: list[str] = Field(description="Codes des territoires de santé couverts.")


class ExtensionIn(BaseModel):
    filiere: str = Field(description="Identifiant (slug) de la filière.")
    until: Annotated[
        str,
        WithJsonSchema(
            {
                "type": "string",
                "description": "Date AAAA-MM-JJ (fin de journée, 23:59:59 heure de Paris) "
                "ou date et heure ISO 8601 avec décalage.",
                "example": "2025-02-28",
            }
        ),
    ]
    reason: str = Field(description="Motif de la prolongation (obligatoire).")


class ExtensionOut(Schema):
    filiere: str
    until: DateTime
    reason: str
    granted_by: str | None
    created_at: DateTime
