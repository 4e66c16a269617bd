"""OpenAPI documentation of the error responses shared by every endpoint."""

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    detail: str = Field(description="Phrase en français expliquant l'erreur.")
    errors: dict[str, list] = Field(
        description="Messages par champ (chemin pointé, par exemple `identity.lead_structure.finess`)."
    )


def errors(*codes):
    """`response=` entries documenting these error statuses: {400: ErrorOut, ...}."""
    return dict.fromkeys(codes, ErrorOut)
