"""The receipt (récépissé) of a submission: what the applicant keeps as proof of what was
submitted and when (issue 11). Read from the snapshot only, never from the live dossier:
the receipt of a deposit never changes, and its fingerprint (SHA-256 of the snapshot's
canonical JSON, dossiers.domain.serialize.content_hash) lets anyone check a copy."""

from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_internal_staff
from common.errors import NotFound
from dossiers.domain.access import with_document_relations
from dossiers.domain.serialize import dossier_document
from dossiers.enums import LineNature
from dossiers.models import Dossier
from dossiers.rules import is_dossier_editor

SWOT_LABELS = (
    ("strengths", gettext_lazy("forces")),
    ("weaknesses", gettext_lazy("faiblesses")),
    ("opportunities", gettext_lazy("opportunités")),
    ("threats", gettext_lazy("menaces")),
)


@dataclass
class Receipt:
    reference: str
    number: int
    submitted_at: object
    submitted_by: str
    filiere: str
    campaign: str
    name: str
    sha256: str
    parts: list = field(default_factory=list)  # [(label, detail)]
    projects: list = field(default_factory=list)  # [{rank, title, recurring, one_off, lines}]
    recurring: Decimal = Decimal(0)
    one_off: Decimal = Decimal(0)
    attachments: list = field(default_factory=list)  # [{name, size, sha256}]


def reference(dossier):
    """The dossier's number as the receipt and the ARS quote it: « BRETAGNE-2025-0012 »."""
    return f"{dossier.campaign.slug.upper()}-{dossier.pk:04d}"


def receipt_snapshot(user, dossier, number):
    """The deposit `number` of a dossier, for its editors and the staff of its region
    (NotFound for anyone else, as for an unknown deposit): what a receipt is read from."""
    if not (is_internal_staff.test(user, dossier) or is_dossier_editor.test(user, dossier)):
        raise NotFound(_("Dossier introuvable."))
    snapshot = dossier.snapshots.select_related("created_by").filter(number=number).first()
    if snapshot is None:
        raise NotFound(_("Dépôt introuvable."))
    return snapshot


def build_receipt(dossier, snapshot):
    content = snapshot.content or {}
    identity = content.get("identity") or {}
    diagnostic = content.get("diagnostic") or {}
    swot = content.get("swot") or {}
    members = identity.get("members") or []
    missions = diagnostic.get("missions") or {}
    receipt = Receipt(
        reference=reference(dossier),
        number=snapshot.number,
        submitted_at=snapshot.created_at,
        submitted_by=str(snapshot.created_by) if snapshot.created_by else "—",
        filiere=dossier.filiere.name,
        campaign=dossier.campaign.name,
        name=identity.get("name") or dossier.filiere.name,
        sha256=snapshot.content_sha256,
    )
    receipt.parts = [
        (
            _("Fiche d'identité"),
            _("%(n)d structure(s) membre(s), porteur : %(lead)s")
            % {
                "n": len(members),
                "lead": (identity.get("lead_structure") or {}).get("name") or "—",
            },
        ),
        (
            _("Diagnostic territorial"),
            _("%(n)d mission(s) renseignée(s)") % {"n": len(missions)},
        ),
        (
            _("Analyse AFOM"),
            ", ".join(f"{len(swot.get(key) or [])} {label}" for key, label in SWOT_LABELS),
        ),
    ]
    for project in content.get("projects") or []:
        sums = {LineNature.RECURRING: Decimal(0), LineNature.ONE_OFF: Decimal(0)}
        for line in project.get("lines") or []:
            if line.get("amount") and line.get("nature") in sums:
                sums[line["nature"]] += Decimal(line["amount"])
        receipt.recurring += sums[LineNature.RECURRING]
        receipt.one_off += sums[LineNature.ONE_OFF]
        receipt.projects.append(
            {
                "rank": project.get("priority"),
                "title": project.get("title") or _("sans intitulé"),
                "lines": len(project.get("lines") or []),
                "recurring": sums[LineNature.RECURRING],
                "one_off": sums[LineNature.ONE_OFF],
            }
        )
    receipt.attachments = [
        {"name": a.get("name"), "size": a.get("size"), "sha256": a.get("sha256")}
        for a in content.get("attachments") or []
    ]
    return receipt


def recap(dossier):
    """What a submission now would deposit, listed as its receipt will list it."""
    fresh = with_document_relations(Dossier.objects.filter(pk=dossier.pk)).get()
    pending = SimpleNamespace(
        content=dossier_document(fresh),
        number=None,
        created_at=None,
        created_by=None,
        content_sha256="",
    )
    return build_receipt(dossier, pending)
