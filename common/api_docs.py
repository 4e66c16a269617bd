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


BINARY = {"type": "string", "format": "binary"}


def file_responses(content_types, description="Le fichier, en pièce jointe."):
    """OpenAPI `responses` entry of an operation answering a file (200) of these types."""
    return {
        200: {
            "description": description,
            "content": {kind.split(";")[0].strip(): {"schema": BINARY} for kind in content_types},
        }
    }


JOB_STATUS = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "kind_label": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "running", "done", "failed"]},
        "status_label": {"type": "string"},
        "done": {"type": "integer"},
        "total": {"type": "integer"},
        "percent": {"type": "integer"},
        "error": {"type": ["string", "null"]},
        "filename": {"type": ["string", "null"]},
        "download_url": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
    },
    "required": ["id", "kind", "status", "done", "total", "percent"],
}


def job_accepted():
    """OpenAPI `responses` entry of a generation still running (202 and its progress)."""
    return {
        202: {
            "description": "Génération en cours : rappelez l'adresse de `Location` (ou "
            "celle-ci) jusqu'à la réponse 200 avec le fichier.",
            "headers": {"Location": {"schema": {"type": "string"}, "required": False}},
            "content": {"application/json": {"schema": JOB_STATUS}},
        }
    }
