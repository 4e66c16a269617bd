"""Follow-up endpoints of the JSON API (api.md "Follow-up of recognised filières").

Every endpoint calls the same domain functions as the pages (followup.domain.*), so the
rules and French messages are the same. Visibility first: a report this user may not
see is a 404 whatever the method; then the role (403), then the state (409)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from accounts.rules import is_internal_staff
from campaign.enums import CampaignKind
from campaign.models import DeadlineExtension
from campaign.queries import get_visible_campaign
from common.api_docs import errors
from common.api_input import SLUG_RE, body_dict, iso
from common.api_pagination import Router, Rows
from common.errors import InvalidInput, NotFound
from common.views import file_download
from followup.domain import attachments as attachment_domain
from followup.domain import editing, exports, transitions
from followup.domain.access import get_visible_report, visible_reports
from followup.domain.consolidation import consolidate
from followup.domain.serialize import check_report, report_document
from followup.enums import ReportKind, ReportState
from followup.models import Report
from followup.rules import is_report_editor
from followup.schemas import (
    FollowupOut,
    ReportAttachmentOut,
    ReportCheckOut,
    ReportHistoryOut,
    ReportOut,
    ReportPatchIn,
    ReportSnapshotDetailOut,
    ReportSummaryOut,
    TransitionIn,
)
from followup.workflow import TRANSITIONS

router = Router(tags=["suivi annuel"])


def _document(user, report_id):
    return report_document(get_visible_report(user, report_id))


def staff_followup_campaign(user, slug):
    """The follow-up campaign for its region's staff: 404 for anyone else (another
    region's campaign, or a lead — the consolidation is the ARS's)."""
    campaign = get_visible_campaign(user, slug)
    if campaign.kind != CampaignKind.FOLLOWUP or not is_internal_staff.test(user, campaign):
        raise NotFound(_("Campagne de suivi introuvable."))
    return campaign


@router.get(
    "/reports",
    response={200: list[ReportSummaryOut], **errors(400, 401)},
    summary="Les rapports annuels que l'utilisateur peut voir",
    description="Filtres facultatifs : `campaign` (slug), `state`.",
)
def list_reports(request, campaign: str | None = None, state: ReportState | None = None):
    user = request.auth
    rows = visible_reports(user, Report.objects.select_related("campaign", "filiere"))
    if campaign:
        if not SLUG_RE.fullmatch(campaign):
            return []
        rows = rows.filter(campaign__slug=campaign)
    if state is not None:
        rows = rows.filter(state=state)
    rows = rows.order_by("campaign__slug", "kind", "filiere__name", "id")
    now = timezone.now()

    def documents(page):
        # The page's deadlines (the filières' extensions) in one query.
        extended = {
            (row["campaign_id"], row["filiere_id"]): row["until"]
            for row in DeadlineExtension.objects.filter(
                campaign_id__in={r.campaign_id for r in page},
                filiere_id__in={r.filiere_id for r in page if r.filiere_id},
            )
            .values("campaign_id", "filiere_id")
            .annotate(until=Max("until"))
            .order_by()
        }

        def deadline(row):
            until = extended.get((row.campaign_id, row.filiere_id))
            return max(until, row.campaign.deadline) if until else row.campaign.deadline

        return [
            {
                "id": row.id,
                "campaign": row.campaign.slug,
                "kind": row.kind,
                "filiere": row.filiere.slug if row.filiere_id else None,
                "year": row.campaign.year,
                "state": row.state,
                "version": row.version,
                "submitted_at": iso(row.submitted_at),
                "late": row.is_late(now, deadline(row)),
            }
            for row in page
        ]

    return Rows(rows, documents)


@router.get(
    "/reports/{id}",
    response={200: ReportOut, **errors(401, 404)},
    summary="Le rapport complet",
    exclude_unset=True,
)
def get_report(request, id: int):
    return _document(request.auth, id)


@router.patch(
    "/reports/{id}",
    response={200: ReportOut, **errors(400, 401, 403, 404, 409)},
    summary="Enregistrer les indicateurs et l'utilisation des crédits",
    description="`version` obligatoire (409 si le rapport a changé). `indicators` (ou `answers` pour "
    "l'enquête CAR'sp) : les clés envoyées remplacent les siennes. `funding` : [{line, spent, "
    "etp_filled, comment}] ; `spent` au-dessus de `granted` : 400. Comptes entiers ≥ 0, ETP à deux "
    "décimales, textes de 20 000 caractères au plus.",
    exclude_unset=True,
)
def patch_report(request, id: int, payload: ReportPatchIn):
    user = request.auth
    data = body_dict(payload)
    report = get_visible_report(user, id)
    with transaction.atomic():
        editing.lock_for_edit(report, user)
    name = "answers" if report.kind == ReportKind.CARSP else "indicators"
    other = "indicators" if name == "answers" else "answers"
    if data.get(other) is not None:
        raise InvalidInput(
            _("Certaines informations sont invalides."),
            {
                other: [
                    _("Ce rapport n'a pas cette partie : envoyez « %(name)s ».") % {"name": name}
                ]
            },
        )
    for key in (name, "funding"):
        if key in data and data[key] is None:
            raise InvalidInput(
                _("Certaines informations sont invalides."), {key: [_("Valeur attendue.")]}
            )
    editing.update_report(
        report,
        user,
        content=data.get(name),
        funding=data.get("funding"),
        version=payload.version,
    )
    return _document(user, id)


@router.get(
    "/reports/{id}/check",
    response={200: ReportCheckOut, **errors(401, 404)},
    summary="Le rapport peut-il être remis ? Tous les problèmes d'un coup",
)
def check(request, id: int):
    report = get_visible_report(request.auth, id)
    problems = [problem.as_dict() for problem in check_report(report)]
    return {"complete": not problems, "problems": problems}


@router.get(
    "/reports/{id}/transitions",
    response={200: list[dict], **errors(401, 404)},
    summary="Les actions que l'utilisateur peut faire maintenant sur ce rapport",
)
def list_transitions(request, id: int):
    report = get_visible_report(request.auth, id)
    return [
        {"name": name, "label": str(label)}
        for name, label in transitions.available_transitions(report, request.auth)
    ]


@router.post(
    "/reports/{id}/transitions/{name}",
    response={200: ReportOut, **errors(400, 401, 403, 404, 409)},
    summary="Remettre, accepter ou retourner le rapport",
    description="Noms : submit, resubmit (porteur, avant la date limite ou la date de réponse), "
    "return_for_completion (comment et due_date obligatoires), accept (instructeur ARS). "
    "Rapport incomplet : 400 avec `errors.problems` = [{field, message}].",
    exclude_unset=True,
)
def fire_transition(request, id: int, name: str, payload: TransitionIn | None = None):
    user = request.auth
    data = body_dict(payload)
    report = get_visible_report(user, id)
    if name not in TRANSITIONS:
        raise NotFound(_("Action inconnue : « %(name)s ».") % {"name": name[:50]})
    try:
        transitions.transition(
            report, name, user, comment=data.get("comment") or "", due_date=data.get("due_date")
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


@router.get(
    "/reports/{id}/history",
    response={200: list[ReportHistoryOut], **errors(401, 404)},
    summary="L'historique du rapport",
)
def history(request, id: int):
    user = request.auth
    report = get_visible_report(user, id)
    staff = is_internal_staff.test(user, report)
    entries = report.history.select_related("by").order_by("at", "id")

    def by(entry):
        if entry.by is None:
            return None
        if staff or is_report_editor.test(entry.by, report):
            return entry.by.username
        return _("l'ARS")

    return Rows(
        entries,
        lambda page: [
            {
                "transition": e.transition,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "by": by(e),
                "at": iso(e.at),
                "comment": e.comment,
            }
            for e in page
        ],
    )


def _snapshot_json(snapshot):
    return {
        "number": snapshot.number,
        "created_at": iso(snapshot.created_at),
        "created_by": snapshot.created_by.username if snapshot.created_by else None,
        "content_sha256": snapshot.content_sha256,
    }


@router.get(
    "/reports/{id}/snapshots",
    response={200: list[dict], **errors(401, 404)},
    summary="Les versions remises du rapport",
)
def list_snapshots(request, id: int):
    report = get_visible_report(request.auth, id)
    rows = report.snapshots.select_related("created_by").defer("content").order_by("number")
    return Rows(rows, lambda page: [_snapshot_json(s) for s in page])


@router.get(
    "/reports/{id}/snapshots/{n}",
    response={200: ReportSnapshotDetailOut, **errors(401, 404)},
    summary="Une version remise, avec son contenu exact",
)
def get_snapshot(request, id: int, n: int):
    report = get_visible_report(request.auth, id)
    snapshot = report.snapshots.select_related("created_by").filter(number=n).first()
    if snapshot is None:
        raise NotFound(_("Version remise introuvable."))
    return {**_snapshot_json(snapshot), "content": snapshot.content}


@router.post(
    "/reports/{id}/attachments",
    response={201: ReportAttachmentOut, **errors(400, 401, 403, 404, 409, 413, 415)},
    summary="Joindre un fichier à une étape du rapport (multipart : file, section)",
    description="20 Mo au plus (413) ; PDF, DOCX, XLSX, ODT, ODS, PNG ou JPG, reconnus d'après le contenu (415).",
)
def upload_attachment(request, id: int, file: File[UploadedFile] = None, section: Form[str] = None):
    user = request.auth
    report = get_visible_report(user, id)
    with transaction.atomic():
        editing.lock_for_edit(report, user)
    if file is None:
        raise InvalidInput(_("Aucun fichier reçu."), {"file": [_("Choisissez un fichier.")]})
    attachment = attachment_domain.add_attachment(report, user, file, section or "")
    return Status(
        201,
        {
            "id": attachment.pk,
            "section": attachment.section,
            "name": attachment.name,
            "size": attachment.size,
            "content_type": attachment.content_type,
            "sha256": attachment.sha256,
        },
    )


@router.get(
    "/reports/{id}/attachments/{aid}",
    response={200: None, **errors(401, 404)},
    summary="Télécharger une pièce jointe du rapport",
)
def download_attachment(request, id: int, aid: int):
    report = get_visible_report(request.auth, id)
    attachment = report.attachments.filter(pk=aid, removed_at__isnull=True).first()
    if attachment is None:
        raise NotFound(_("Pièce jointe introuvable."))
    return attachment_domain.file_response(attachment)


@router.get(
    "/campaigns/{slug}/followup",
    response={200: FollowupOut, **errors(401, 404)},
    summary="Consolidation régionale du suivi annuel (agents de la région)",
    description="`submitted` et `accepted` comptent les rapports dans chacun de ces états ; les "
    "totaux sont la somme des rapports remis (`submitted`) et acceptés (`accepted`).",
)
def campaign_followup(request, slug: str):
    campaign = staff_followup_campaign(request.auth, slug)
    return consolidate(campaign).as_api()


@router.get(
    "/campaigns/{slug}/exports/followup.{fmt}",
    summary="Export du suivi annuel (xlsx ou csv) : une ligne par filière reconnue",
    url_name="campaign_export_followup",
    response={200: None, **errors(401, 404)},
)
def export_followup(request, slug: str, fmt: str):
    campaign = staff_followup_campaign(request.auth, slug)
    filename, content_type, data = exports.export_followup(campaign, fmt)
    return file_download(data, filename, content_type)
