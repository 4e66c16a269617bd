"""API of the outputs (api.md): decisions exports, decision letters, coverage.

- GET campaigns/{slug}/exports/decisions.{xlsx,ods,csv} (staff): 200 with the file
  when the campaign has at most OUTPUTS_EXPORT_SYNC_MAX_ROWS project sheets
  (default 1000: a few seconds of work, Brittany has at most ~600); above, 202 with a `Location` to poll.
- GET dossiers/{id}/letter.docx: staff, or the dossier's lead once decided;
  404 for anyone else; 409 while the dossier is not decided.
- GET campaigns/{slug}/exports/decision_lines.{xlsx,csv} (staff): one row per funding
  line (dossier, filière, sheet, priority, line, nature, category, ETP, requested,
  proposed, granted, start month, receiving FINESS and establishment).
- GET campaigns/{slug}/letters.zip (staff): 202 with a `Location` to poll.
- GET campaigns/{slug}/jobs/{id} (the polling URL): 202 with the progress
  `{id, kind, status, done, total, percent, ...}` until the file is ready, then 200
  with the file; 409 if the generation failed.
- GET campaigns/{slug}/coverage (staff): `{territories: [{code, name, dossiers: [id],
  rejected: [id], recognised: [id], departements}], uncovered: [code], overlaps: [code],
  recognised: [code] (a filière is recognised there, not only applying),
  departements: [{code, name, territories, dossiers, status}]}`."""

from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from campaign.queries import get_visible_campaign
from common.api_docs import file_responses, job_accepted
from common.api_pagination import Router
from common.errors import Conflict, Forbidden, NotFound
from common.views import file_download
from dossiers.enums import DossierState
from outputs.domain import coverage, exports, jobs, letters
from outputs.models import OutputJob
from outputs.rules import can_view_coverage

router = Router(tags=["exports et courriers"])


def _campaign(request, slug):
    return get_visible_campaign(request.auth, slug)


def _accepted(request, campaign, job):
    location = reverse("api:campaign_job", kwargs={"slug": campaign.slug, "job_id": job.pk})
    response = JsonResponse(jobs.job_status(job), status=202)
    response["Location"] = request.build_absolute_uri(location)
    return response


@router.get(
    "/campaigns/{slug}/exports/decisions.{fmt}",
    summary="Export des décisions (xlsx, ods ou csv)",
    url_name="campaign_export_decisions",
    openapi_extra={"responses": {**file_responses(exports.FORMATS.values()), **job_accepted()}},
)
def export_decisions(request, slug: str, fmt: str):
    campaign = _campaign(request, slug)
    jobs.check_can_export(request.auth, campaign)
    if fmt not in exports.FORMATS:
        raise NotFound(
            _("Format d'export inconnu : « %(fmt)s » (xlsx, ods ou csv).") % {"fmt": fmt}
        )
    if exports.exported_row_count(campaign) <= exports.sync_max_rows():
        filename, content_type, data = exports.export_decisions(
            campaign, fmt, reader=exports.reader_for(request.auth, campaign)
        )
        return file_download(data, filename, content_type)
    return _accepted(
        request, campaign, jobs.start_job(request.auth, campaign, jobs.kind_for_format(fmt))
    )


@router.get(
    "/campaigns/{slug}/exports/decision_lines.{fmt}",
    summary="Export par ligne de financement (xlsx ou csv)",
    url_name="campaign_export_decision_lines",
    openapi_extra={"responses": file_responses(exports.LINE_FORMATS.values())},
)
def export_decision_lines(request, slug: str, fmt: str):
    campaign = _campaign(request, slug)
    jobs.check_can_export(request.auth, campaign)
    if fmt not in exports.LINE_FORMATS:
        raise NotFound(_("Format d'export inconnu : « %(fmt)s » (xlsx ou csv).") % {"fmt": fmt})
    filename, content_type, data = exports.export_decision_lines(
        campaign, fmt, reader=exports.reader_for(request.auth, campaign)
    )
    return file_download(data, filename, content_type)


@router.get(
    "/campaigns/{slug}/letters.zip",
    summary="Tous les courriers de décision (ZIP, en tâche de fond)",
    url_name="campaign_letters_zip",
    openapi_extra={"responses": job_accepted()},
)
def letters_zip(request, slug: str):
    campaign = _campaign(request, slug)
    jobs.check_can_export(request.auth, campaign)
    if not campaign.dossiers.filter(state=DossierState.DECIDED).exists():
        raise Conflict(_("Aucun dossier n'est encore décidé : aucun courrier à générer."))
    return _accepted(
        request, campaign, jobs.start_job(request.auth, campaign, OutputJob.Kind.LETTERS_ZIP)
    )


@router.get(
    "/campaigns/{slug}/jobs/{int:job_id}",
    summary="Suivi d'une génération : 202 tant qu'elle court, 200 avec le fichier ensuite",
    url_name="campaign_job",
    openapi_extra={
        "responses": {**file_responses(jobs.JOB_CONTENT_TYPES.values()), **job_accepted()}
    },
)
def campaign_job(request, slug: str, job_id: int):
    campaign = _campaign(request, slug)
    job = jobs.get_job(request.auth, campaign, job_id)
    if job.status == OutputJob.Status.FAILED:
        raise Conflict(job.error or _("La génération a échoué."))
    if job.status != OutputJob.Status.DONE or not job.file:
        return JsonResponse(jobs.job_status(job), status=202)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=jobs.JOB_CONTENT_TYPES[job.kind],
    )


@router.get(
    "/dossiers/{int:dossier_id}/letter.docx",
    summary="Courrier de décision d'un dossier",
    url_name="dossier_letter",
    openapi_extra={"responses": file_responses([letters.DOCX_CONTENT_TYPE])},
)
def dossier_letter(request, dossier_id: int):
    filename, data = letters.letter_for(request.auth, dossier_id)
    return file_download(data, filename, letters.DOCX_CONTENT_TYPE)


@router.get(
    "/campaigns/{slug}/coverage",
    summary="Couverture des territoires par les dossiers des filières",
    url_name="campaign_coverage",
)
def campaign_coverage(request, slug: str):
    campaign = _campaign(request, slug)
    if not can_view_coverage.test(request.auth, campaign):
        raise Forbidden(_("La couverture des territoires est réservée à l'ARS et à la CARESP."))
    return coverage.coverage_report(campaign).as_api()
