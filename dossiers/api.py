"""Dossier endpoints of the JSON API (../shared/api.md), applicant side.

Every endpoint calls the same domain functions as the web interface
(dossiers.domain.*, dossiers.workflow), so rules and French messages are the
same. Visibility first: a dossier this user may not see is a 404 whatever the
method; then the role (403) and the state (409)."""

import datetime as dt
import re

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from accounts.display import shown_to_applicants
from accounts.rules import is_internal_staff
from campaign.queries import visible_campaigns
from common.api_docs import errors, file_responses
from common.api_input import SLUG_RE, body_dict, iso
from common.api_pagination import Router, Rows
from common.errors import InvalidInput, NotFound
from common.files import EXTENSIONS
from common.money import money_str
from dossiers import workflow
from dossiers.domain import attachments as attachment_domain
from dossiers.domain import due_dates, editing, transitions
from dossiers.domain.access import get_visible_dossier, visible_dossiers, with_document_relations
from dossiers.domain.completeness import check_advice, check_dossier
from dossiers.domain.participation import participation
from dossiers.domain.serialize import dossier_document, line_document, project_document
from dossiers.domain.totals import sums_by_dossier
from dossiers.enums import DossierState
from dossiers.models import Dossier
from dossiers.rules import can_view_decision, can_view_proposals, is_dossier_editor
from dossiers.schemas import (
    AttachmentOut,
    CheckOut,
    DossierCreateIn,
    DossierOut,
    DossierPatchIn,
    DossierSummaryOut,
    DueDateIn,
    HistoryOut,
    LineIn,
    LineOut,
    LinePatchIn,
    ProjectIn,
    ProjectOut,
    ProjectPatchIn,
    SnapshotDetailOut,
    SnapshotOut,
    TransitionIn,
    TransitionOut,
)

router = Router(tags=["dossiers"])

PARTS = ("identity", "diagnostic", "swot")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- Helpers -------------------------------------------------------------------


def _not_found():
    return NotFound(_("Dossier introuvable."))


def _visible(user, dossier_id, queryset=None):
    """The dossier, or 404 when it does not exist or this user may not know it exists."""
    dossier = get_visible_dossier(user, dossier_id, queryset)
    if dossier is None:
        raise _not_found()
    return dossier


def _staff_reader(user, dossier):
    """Internal staff reading someone else's dossier (same rule as the dossier page):
    a filière's own editors never see internal figures, whatever other role they hold."""
    return is_internal_staff.test(user, dossier) and not is_dossier_editor.test(user, dossier)


def _flags(user, dossier):
    """(show_proposal, show_grant): proposals per dossiers.rules.can_view_proposals (the
    ARS; the CARESP once decided); grants for staff, and for the filière's editors once
    the dossier is decided."""
    return can_view_proposals.test(user, dossier), can_view_decision.test(user, dossier)


def _document(user, dossier_id):
    dossier = _visible(user, dossier_id, with_document_relations(Dossier.objects.all()))
    show_proposal, show_grant = _flags(user, dossier)
    document = dossier_document(dossier, show_proposal=show_proposal, show_grant=show_grant)
    return with_versions(document, dossier, show_proposal=show_proposal)


def with_versions(document, dossier, *, show_proposal):
    """The versions a client sends back to detect concurrent changes: of each project
    sheet and funding line, and of the ARS proposal for those who see it. Kept out of
    dossier_document so that the snapshots never hold them."""
    projects = {project.id: project for project in dossier.projects.all()}
    for item in document["projects"]:
        project = projects.get(item["id"])
        item["version"] = project.version if project else None
        lines = {line.id: line.version for line in project.lines.all()} if project else {}
        for line in item["lines"]:
            line["version"] = lines.get(line["id"])
    if show_proposal:
        document["proposal_version"] = dossier.proposal_version
    return document


def _editable(user, dossier_id):
    """The dossier, checked in this order: visible (404), editor (403), editable state (409)."""
    dossier = _visible(user, dossier_id)
    with transaction.atomic():
        # The domain's own check, with its messages; every write re-checks under the lock.
        editing._lock_for_edit(dossier, user)
    return dossier


def _project_json(user, dossier, project):
    show_proposal, show_grant = _flags(user, dossier)
    document = project_document(project, show_proposal=show_proposal, show_grant=show_grant)
    document["version"] = project.version
    return document


def _line_json(user, dossier, line):
    show_proposal, show_grant = _flags(user, dossier)
    document = line_document(line, show_proposal=show_proposal, show_grant=show_grant)
    document["version"] = line.version
    return document


def _money_totals(sums, show_grant):
    totals = {
        "requested_recurring": money_str(sums.get("amount_recurring") or 0),
        "requested_one_off": money_str(sums.get("amount_one_off") or 0),
        "granted_recurring": money_str(sums.get("granted_recurring") or 0),
        "granted_one_off": money_str(sums.get("granted_one_off") or 0),
    }
    if not show_grant:
        totals["granted_recurring"] = totals["granted_one_off"] = None
    return totals


# A list row's columns: the summary's own, and what the visibility rules read (the
# campaign's region, the filière).
_SUMMARY_FIELDS = (
    "id",
    "state",
    "outcome",
    "version",
    "submitted_at",
    "campaign__slug",
    "campaign__region_id",
    "filiere__slug",
)


# --- Dossiers ------------------------------------------------------------------


@router.get(
    "/dossiers",
    response={200: list[DossierSummaryOut], **errors(400, 401)},
    summary="Les dossiers que l'utilisateur peut voir",
    description="Filtres facultatifs : `campaign` (slug), `state`. Les totaux sont calculés par la base, en une requête.",
)
def list_dossiers(request, campaign: str | None = None, state: DossierState | None = None):
    user = request.auth
    rows = visible_dossiers(user, Dossier.objects.select_related("campaign", "filiere")).only(
        *_SUMMARY_FIELDS
    )
    if campaign:
        if not SLUG_RE.fullmatch(campaign):
            return []
        rows = rows.filter(campaign__slug=campaign)
    if state is not None:
        rows = rows.filter(state=state)
    rows = rows.order_by("campaign__slug", "filiere__name", "id")

    def documents(page):
        # The page's stored totals only (DossierTotals, decision 0056), in one query.
        totals = sums_by_dossier(
            Dossier.objects.filter(pk__in=[row.id for row in page]),
            fields=("amount", "granted"),
            null=None,
        )
        # can_view_decision reads a dossier's state, region and whether the user edits its
        # filière: tested once per such kind of row, not once per row.
        show_grants = {}
        result = []
        for row in page:
            kind = (row.state, row.campaign.region_id, row.filiere_id in user.filiere_ids)
            show_grant = show_grants.get(kind)
            if show_grant is None:
                show_grant = show_grants[kind] = can_view_decision.test(user, row)
            result.append(
                {
                    "id": row.id,
                    "campaign": row.campaign.slug,
                    "filiere": row.filiere.slug,
                    "state": row.state,
                    "outcome": (row.outcome or None) if show_grant else None,
                    "version": row.version,
                    # Same form as in the dossier document.
                    "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
                    "totals": _money_totals(totals.get(row.id, {}), show_grant),
                }
            )
        return result

    return Rows(rows, documents)


@router.post(
    "/dossiers",
    response={201: DossierOut, **errors(400, 401, 403, 404, 409)},
    summary="Créer le dossier (brouillon) d'une filière",
    exclude_unset=True,
)
def create_dossier(request, payload: DossierCreateIn):
    user = request.auth
    data = body_dict(payload)
    campaign_slug, filiere_slug = data["campaign"], data["filiere"]
    campaign = filiere = None
    if SLUG_RE.fullmatch(campaign_slug) and SLUG_RE.fullmatch(filiere_slug):
        campaign = visible_campaigns(user).filter(slug=campaign_slug).first()
        if campaign is not None:
            filiere = campaign.filieres.filter(slug=filiere_slug).first()
    if filiere is None or filiere.id not in user.filiere_ids:
        # Another filière: 404 as for its dossier, the user may not know it exists.
        raise NotFound(_("Campagne ou filière introuvable."))
    dossier = editing.create_dossier(user, campaign, filiere)
    return Status(201, _document(user, dossier.pk))


@router.get(
    "/dossiers/{id}",
    response={200: DossierOut, **errors(401, 404)},
    summary="Le dossier complet",
    exclude_unset=True,
)
def get_dossier(request, id: int):
    return _document(request.auth, id)


@router.patch(
    "/dossiers/{id}",
    response={200: DossierOut, **errors(400, 401, 403, 404, 409)},
    summary="Remplacer la fiche d'identité, le diagnostic ou l'AFOM",
    description="Chaque partie envoyée est remplacée en entier ; `version` est obligatoire (409 si le dossier a changé depuis). Les champs en lecture seule sont ignorés.",
    exclude_unset=True,
)
def patch_dossier(request, id: int, payload: DossierPatchIn):
    user = request.auth
    data = body_dict(payload)
    dossier = _editable(user, id)
    parts = {key: data[key] for key in PARTS if key in data}
    nulls = [key for key, value in parts.items() if value is None]
    if nulls:
        message = _("Objet attendu.")
        raise InvalidInput(
            _("Certaines informations sont invalides."), {key: [message] for key in nulls}
        )
    editing.update_parts(dossier, user, parts, version=payload.version)
    return _document(user, id)


# --- Project sheets and funding lines ------------------------------------------


@router.post(
    "/dossiers/{id}/projects",
    response={201: ProjectOut, **errors(400, 401, 403, 404, 409)},
    summary="Ajouter une fiche projet",
)
def create_project(request, id: int, payload: ProjectIn):
    user = request.auth
    data = body_dict(payload)
    dossier = _editable(user, id)
    project = editing.create_project(dossier, user, data)
    return Status(201, _project_json(user, dossier, project))


@router.patch(
    "/dossiers/{id}/projects/{pid}",
    response={200: ProjectOut, **errors(400, 401, 403, 404, 409)},
    summary="Modifier une fiche projet",
    description="Seuls les champs envoyés changent. `version` (facultatif) : 409 si la fiche a changé depuis.",
)
def update_project(request, id: int, pid: int, payload: ProjectPatchIn):
    user = request.auth
    data = body_dict(payload)
    version = data.pop("version", None)
    dossier = _editable(user, id)
    project = editing.update_project(dossier, user, pid, data, version=version)
    return _project_json(user, dossier, project)


@router.delete(
    "/dossiers/{id}/projects/{pid}",
    response={204: None, **errors(401, 403, 404, 409)},
    summary="Supprimer une fiche projet (et ses lignes)",
)
def delete_project(request, id: int, pid: int):
    user = request.auth
    dossier = _editable(user, id)
    editing.delete_project(dossier, user, pid)
    return Status(204, None)


@router.post(
    "/dossiers/{id}/projects/{pid}/lines",
    response={201: LineOut, **errors(400, 401, 403, 404, 409)},
    summary="Ajouter une ligne de financement",
    description="`amount` : chaîne (« 1600000 », « 1600000.5 », « 1600000.50 ») ou entier JSON ; refusés avec 400 : négatifs, NaN, Infinity, plus de deux décimales, exposants, nombres JSON à virgule.",
)
def create_line(request, id: int, pid: int, payload: LineIn):
    user = request.auth
    data = body_dict(payload)
    dossier = _editable(user, id)
    line = editing.create_line(dossier, user, pid, data)
    return Status(201, _line_json(user, dossier, line))


@router.patch(
    "/dossiers/{id}/projects/{pid}/lines/{lid}",
    response={200: LineOut, **errors(400, 401, 403, 404, 409)},
    summary="Modifier une ligne de financement",
    description="Seuls les champs envoyés changent ; mêmes règles de montant qu'à la création. `version` (facultatif) : 409 si la ligne a changé depuis.",
)
def update_line(request, id: int, pid: int, lid: int, payload: LinePatchIn):
    user = request.auth
    data = body_dict(payload)
    version = data.pop("version", None)
    dossier = _editable(user, id)
    line = editing.update_line(dossier, user, pid, lid, data, version=version)
    return _line_json(user, dossier, line)


@router.delete(
    "/dossiers/{id}/projects/{pid}/lines/{lid}",
    response={204: None, **errors(401, 403, 404, 409)},
    summary="Supprimer une ligne de financement",
)
def delete_line(request, id: int, pid: int, lid: int):
    user = request.auth
    dossier = _editable(user, id)
    editing.delete_line(dossier, user, pid, lid)
    return Status(204, None)


# --- Attachments -----------------------------------------------------------------


@router.post(
    "/dossiers/{id}/attachments",
    response={201: AttachmentOut, **errors(400, 401, 403, 404, 409, 413, 415)},
    summary="Joindre un fichier (multipart : file, section, project facultatif)",
    description="20 Mo au plus (413) ; PDF, DOCX, XLSX, ODT, ODS, PNG ou JPG, reconnus d'après le contenu (415).",
)
def upload_attachment(
    request,
    id: int,
    file: File[UploadedFile] = None,
    section: Form[str] = None,
    project: Form[str] = None,
):
    user = request.auth
    dossier = _editable(user, id)
    project_id = None
    if project not in (None, ""):
        if not (project.isascii() and project.isdigit() and len(project) < 19):
            message = _("Identifiant de fiche projet invalide.")
            raise InvalidInput(message, {"project": [message]})
        project_id = int(project)
    if file is None:
        raise InvalidInput(_("Aucun fichier reçu."), {"file": [_("Choisissez un fichier.")]})
    attachment = attachment_domain.add_attachment(
        dossier, user, file, section or "", project_id=project_id
    )
    return Status(
        201,
        {
            "id": attachment.id,
            "name": attachment.name,
            "size": attachment.size,
            "content_type": attachment.content_type,
        },
    )


@router.get(
    "/dossiers/{id}/attachments/{aid}",
    response={200: None, **errors(401, 404)},
    summary="Télécharger une pièce jointe",
    openapi_extra={"responses": file_responses(EXTENSIONS)},
)
def download_attachment(request, id: int, aid: int):
    dossier = _visible(request.auth, id)
    attachment = dossier.attachments.filter(pk=aid).first()
    if attachment is None:
        raise NotFound(_("Pièce jointe introuvable."))
    return attachment_domain.file_response(attachment)


# --- Completeness, workflow, history, snapshots -----------------------------------


@router.get(
    "/dossiers/{id}/check",
    response={200: CheckOut, **errors(401, 404)},
    summary="Le dossier peut-il être déposé ? Tous les problèmes d'un coup",
)
def check(request, id: int):
    dossier = _visible(request.auth, id)
    problems = [problem.as_dict() for problem in check_dossier(dossier)]
    return {
        "complete": not problems,
        "problems": problems,
        "warnings": [advice.as_dict() for advice in check_advice(dossier)],
        "participation": participation(dossier.identity).as_dict(),
    }


@router.get(
    "/dossiers/{id}/transitions",
    response={200: list[TransitionOut], **errors(401, 404)},
    summary="Les actions que l'utilisateur peut faire maintenant sur ce dossier",
)
def list_transitions(request, id: int):
    dossier = _visible(request.auth, id)
    return [
        {"name": name, "label": str(label)}
        for name, label in transitions.available_transitions(dossier, request.auth)
    ]


def _parse_due_date(value):
    if value in (None, ""):
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _("Date attendue au format AAAA-MM-JJ.")
        raise InvalidInput(message, {"due_date": [message]}) from None


@router.post(
    "/dossiers/{id}/transitions/{name}",
    response={200: DossierOut, **errors(400, 401, 403, 404, 409)},
    summary="Faire avancer le dossier (déposer, retourner pour compléments, retirer...)",
    description="Noms : submit, start_caresp_review, start_ars_analysis, return_for_completion (comment et due_date obligatoires), resubmit, withdraw. "
    "La décision passe par POST dossiers/{id}/decision. Dossier incomplet : 400 avec `errors.problems` = [{field, message}] "
    "et, en plus, chaque message sous la clé de son champ.",
    exclude_unset=True,
)
def fire_transition(request, id: int, name: str, payload: TransitionIn | None = None):
    user = request.auth
    data = body_dict(payload)
    dossier = _visible(user, id)
    if name not in workflow.DIRECT_TRANSITIONS:
        raise NotFound(_("Action inconnue : « %(name)s ».") % {"name": name[:50]})
    due_date = _parse_due_date(data.get("due_date"))
    try:
        transitions.transition(
            dossier, name, user, comment=data.get("comment") or "", due_date=due_date
        )
    except InvalidInput as exc:
        problems = exc.errors.get("problems")
        if not problems:
            raise
        flat = {"problems": problems}
        for problem in problems:
            flat.setdefault(problem["field"], []).append(problem["message"])
        raise InvalidInput(exc.message, flat) from None
    return _document(user, id)


@router.post(
    "/dossiers/{id}/due_date",
    response={200: DossierOut, **errors(400, 401, 403, 404, 409)},
    summary="Prolonger le délai de réponse d'un dossier à compléter (instructeur ARS)",
    description="Après la date limite de réponse, un dossier « à compléter » n'est plus ni "
    "modifiable ni redéposable (409) tant que l'ARS ne la prolonge pas. Inscrit à "
    "l'historique public ; le porteur est prévenu par courriel.",
)
def extend_due_date(request, id: int, payload: DueDateIn):
    user = request.auth
    data = body_dict(payload)
    dossier = _visible(user, id)
    due_dates.extend_due_date(dossier, user, data.get("due_date"), data.get("reason"))
    return _document(user, id)


@router.get(
    "/dossiers/{id}/history",
    response={200: list[HistoryOut], **errors(401, 404)},
    summary="L'historique du dossier (le porteur n'en voit que les entrées publiques)",
)
def history(request, id: int):
    user = request.auth
    dossier = _visible(user, id)
    entries = dossier.history.select_related("by").order_by("at", "id")
    staff = _staff_reader(user, dossier)
    if not staff:
        entries = entries.filter(is_public=True)

    def by(entry):
        # The filière reads the staff by role (« l'ARS », « la CARESP »), never a login.
        if entry.by is None:
            return None
        return entry.by.username if staff else shown_to_applicants(entry.by, dossier.region_id)

    return Rows(
        entries,
        lambda page: [
            {
                "from_state": entry.from_state,
                "to_state": entry.to_state,
                "by": by(entry),
                "at": iso(entry.at),
                "comment": entry.comment,
            }
            for entry in page
        ],
    )


def _snapshot_json(snapshot):
    return {
        "number": snapshot.number,
        "created_at": iso(snapshot.created_at),
        "created_by": snapshot.created_by.username if snapshot.created_by else None,
        "content_sha256": snapshot.content_sha256,
    }


def _snapshot_reader(user, dossier_id):
    """Staff and the dossier's editors only."""
    dossier = _visible(user, dossier_id)
    if not (is_internal_staff.test(user, dossier) or is_dossier_editor.test(user, dossier)):
        raise _not_found()
    return dossier


@router.get(
    "/dossiers/{id}/snapshots",
    response={200: list[SnapshotOut], **errors(401, 404)},
    summary="Les versions déposées du dossier",
)
def list_snapshots(request, id: int):
    dossier = _snapshot_reader(request.auth, id)
    snapshots = dossier.snapshots.select_related("created_by").defer("content").order_by("number")
    return Rows(snapshots, lambda page: [_snapshot_json(s) for s in page])


@router.get(
    "/dossiers/{id}/snapshots/{n}",
    response={200: SnapshotDetailOut, **errors(401, 404)},
    summary="Une version déposée, avec son contenu exact",
)
def get_snapshot(request, id: int, n: int):
    dossier = _snapshot_reader(request.auth, id)
    snapshot = dossier.snapshots.select_related("created_by").filter(number=n).first()
    if snapshot is None:
        raise NotFound(_("Version déposée introuvable."))
    return {**_snapshot_json(snapshot), "content": snapshot.content}
