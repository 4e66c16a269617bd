"""Outputs pages (design brief §7): exports, decision letters, background jobs,
coverage report and printable dossiers. Every view checks permissions on the
server through the same domain functions as the API."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.models import Campaign
from campaign.rules import can_export_campaign, can_manage_letter_template, can_view_coverage
from common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from dossiers.domain.access import get_visible_dossier, visible_dossiers
from dossiers.enums import SUBMITTED_STATES, DossierState
from outputs.domain import coverage, dossier_print, exports, jobs, letters
from outputs.forms import ExportForm, LetterSettingsForm
from outputs.models import OutputJob

JOB_CONTENT_TYPES = {
    OutputJob.Kind.LETTERS_ZIP: "application/zip",
    OutputJob.Kind.DECISIONS_XLSX: exports.FORMATS["xlsx"],
    OutputJob.Kind.DECISIONS_ODS: exports.FORMATS["ods"],
    OutputJob.Kind.DECISIONS_CSV: exports.FORMATS["csv"],
}
LETTERS_PER_PAGE = 50
EXPORT_KINDS = [
    OutputJob.Kind.DECISIONS_XLSX,
    OutputJob.Kind.DECISIONS_ODS,
    OutputJob.Kind.DECISIONS_CSV,
]


def export_sync_max_rows():
    """Up to this many project sheets, an export is answered at once; above, in the background."""
    return getattr(settings, "OUTPUTS_EXPORT_SYNC_MAX_ROWS", 1000)


def domain_errors(view):
    """Domain exceptions → 404 / 403 / 409 pages, with the French message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except Conflict as exc:
            return render(
                request,
                "outputs/conflict.html",
                {"title": _("Action impossible"), "message": exc.message},
                status=409,
            )

    return login_required(wrapper)


def file_response(data, filename, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _campaign(slug):
    return get_object_or_404(Campaign, slug=slug)


def _require(predicate, user, campaign):
    if not predicate.test(user, campaign):
        raise DjangoPermissionDenied(_("Cette page est réservée à l'ARS et à la CARESP."))


# ---------------------------------------------------------------- home


@require_GET
@domain_errors
def outputs_home(request):
    """Staff: the campaigns and their outputs. Leads: their decisions and printable dossiers."""
    user = request.user
    campaigns = list(Campaign.objects.order_by("-opens_at")) if user.is_internal_staff else []
    own = (
        visible_dossiers(user)
        .filter(filiere_id__in=user.filiere_ids)
        .select_related("campaign", "filiere")
        .order_by("campaign__name", "filiere__name")
    )
    return render(
        request,
        "outputs/home.html",
        {
            "title": _("Exports, courriers et couverture")
            if user.is_internal_staff
            else _("Mes décisions"),
            "campaigns": campaigns,
            "own_dossiers": own,
            "submitted_states": SUBMITTED_STATES | {DossierState.WITHDRAWN},
        },
    )


# ---------------------------------------------------------------- jobs


def _job_urls(campaign, job):
    return {
        "status_url": reverse("outputs:job_status", args=[campaign.slug, job.pk]),
        "download_url": reverse("outputs:job_download", args=[campaign.slug, job.pk]),
    }


def _jobs_with_urls(campaign, kinds):
    result = []
    for job in jobs.recent_jobs(campaign, kinds):
        job.urls = _job_urls(campaign, job)
        result.append(job)
    return result


@require_GET
@domain_errors
def job_status(request, slug, job_id):
    campaign = _campaign(slug)
    job = jobs.get_job(request.user, campaign, job_id)
    return JsonResponse(jobs.job_status(job, _job_urls(campaign, job)["download_url"]))


@require_GET
@domain_errors
def job_download(request, slug, job_id):
    campaign = _campaign(slug)
    job = jobs.get_job(request.user, campaign, job_id)
    if job.status != OutputJob.Status.DONE or not job.file:
        raise Conflict(_("Le fichier n'est pas encore prêt."))
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=JOB_CONTENT_TYPES[job.kind],
    )


# ---------------------------------------------------------------- exports


@require_http_methods(["GET", "POST"])
@domain_errors
def exports_page(request, slug):
    campaign = _campaign(slug)
    _require(can_export_campaign, request.user, campaign)
    rows = exports.exported_row_count(campaign)
    form = ExportForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            fmt = form.cleaned_data["format"]
            if rows <= export_sync_max_rows():
                filename, content_type, data = exports.export_decisions(campaign, fmt)
                return file_response(data, filename, content_type)
            job = jobs.start_job(request.user, campaign, jobs.kind_for_format(fmt))
            messages.success(
                request,
                _("Export %(fmt)s lancé en tâche de fond : il sera téléchargeable ci-dessous.")
                % {"fmt": fmt.upper()},
            )
            return redirect(reverse("outputs:exports", args=[slug]) + f"#job-{job.pk}")
        messages.error(request, _("Choisissez le format xlsx, ods ou csv."))
    return render(
        request,
        "outputs/exports.html",
        {
            "title": _("Export des décisions"),
            "campaign": campaign,
            "rows": rows,
            "sync_max_rows": export_sync_max_rows(),
            "form": form,
            "jobs": _jobs_with_urls(campaign, EXPORT_KINDS),
        },
    )


# ---------------------------------------------------------------- letters


def _letters_context(request, campaign, form=None):
    decided = (
        campaign.dossiers.filter(state=DossierState.DECIDED)
        .select_related("filiere")
        # campaign_id too: the related manager sets each row's campaign from it (a deferred
        # campaign_id cost two queries per row: the field, then the FSM state check).
        .only(
            "id",
            "campaign_id",
            "outcome",
            "decided_at",
            "state",
            "filiere__name",
            "filiere__slug",
        )
        .order_by("filiere__name", "id")
    )
    page = Paginator(decided, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
    can_manage = can_manage_letter_template.test(request.user, campaign)
    if can_manage and form is None:
        form = LetterSettingsForm(instance=campaign)
    return {
        "title": _("Courriers de décision"),
        "campaign": campaign,
        "dossiers": page.object_list,
        "page": page,
        "decided_count": page.paginator.count,
        "jobs": _jobs_with_urls(campaign, [OutputJob.Kind.LETTERS_ZIP]),
        "can_manage": can_manage,
        "form": form if can_manage else None,
        "tags": letters.TAGS,
        "project_tags": letters.PROJECT_TAGS,
        "has_custom_template": bool(campaign.letter_template),
        "template_help": _(
            "Un modèle est un document Word (.docx) où les balises s'écrivent entre doubles "
            "accolades, par exemple {{ filiere_name }}. Les paragraphes conditionnels "
            "s'écrivent {%p if accepted %} … {%p endif %} et la ligne répétée du tableau des "
            "fiches projet {%tr for p in projects %} … {%tr endfor %}. Un modèle contenant une "
            "balise inconnue ou une erreur de syntaxe est refusé à l'envoi."
        ),
        "project_tags_caption": _(
            "Balises d'une fiche projet (dans {%tr for p in projects %} … {%tr endfor %})"
        ),
    }


@require_GET
@domain_errors
def letters_page(request, slug):
    campaign = _campaign(slug)
    _require(can_export_campaign, request.user, campaign)
    return render(request, "outputs/letters.html", _letters_context(request, campaign))


@require_POST
@domain_errors
def letters_zip_start(request, slug):
    campaign = _campaign(slug)
    if not campaign.dossiers.filter(state=DossierState.DECIDED).exists():
        jobs.check_can_export(request.user, campaign)
        messages.warning(
            request, _("Aucun dossier n'est encore décidé : aucun courrier à générer.")
        )
        return redirect("outputs:letters", slug=slug)
    job = jobs.start_job(request.user, campaign, OutputJob.Kind.LETTERS_ZIP)
    messages.success(
        request, _("Génération des courriers lancée : suivez l'avancement ci-dessous.")
    )
    return redirect(reverse("outputs:letters", args=[slug]) + f"#job-{job.pk}")


@require_POST
@domain_errors
def letter_settings(request, slug):
    campaign = _campaign(slug)
    if not can_manage_letter_template.test(request.user, campaign):
        raise DjangoPermissionDenied(
            _("Seul un administrateur peut modifier le modèle de courrier.")
        )
    form = LetterSettingsForm(request.POST, request.FILES, instance=campaign)
    if form.is_valid():
        try:
            letters.update_letter_settings(
                request.user,
                campaign,
                signatory_name=form.cleaned_data["signatory_name"],
                signatory_title=form.cleaned_data["signatory_title"],
                appeal_mention=form.cleaned_data["appeal_mention"],
                template_data=form.cleaned_data["template"],
                reset_template=form.cleaned_data["reset_template"],
            )
        except InvalidInput as exc:
            for field_name, field_errors in exc.errors.items():
                target = "template" if field_name == "letter_template" else field_name
                for message in field_errors:
                    form.add_error(target if target in form.fields else None, message)
        else:
            messages.success(request, _("Paramètres des courriers enregistrés."))
            return redirect("outputs:letters", slug=slug)
    campaign = Campaign.objects.get(pk=campaign.pk)  # the form changed the instance in memory
    return render(
        request,
        "outputs/letters.html",
        _letters_context(request, campaign, form),
        status=400,
    )


@require_GET
@domain_errors
def letter_template_download(request, slug):
    campaign = _campaign(slug)
    _require(can_export_campaign, request.user, campaign)
    default = request.GET.get("defaut") == "1"
    data = letters.DEFAULT_TEMPLATE.read_bytes() if default else letters.template_bytes(campaign)
    name = "modele-courrier-defaut.docx" if default else f"modele-courrier-{campaign.slug}.docx"
    return file_response(data, name, letters.DOCX_CONTENT_TYPE)


@require_GET
@domain_errors
def dossier_letter(request, pk):
    filename, data = letters.letter_for(request.user, pk)
    return file_response(data, filename, letters.DOCX_CONTENT_TYPE)


# ---------------------------------------------------------------- coverage


@require_GET
@domain_errors
def coverage_page(request, slug):
    campaign = _campaign(slug)
    _require(can_view_coverage, request.user, campaign)
    return render(
        request,
        "outputs/coverage.html",
        {
            "title": _("Couverture des territoires"),
            "campaign": campaign,
            "report": coverage.coverage_report(campaign),
        },
    )


# ---------------------------------------------------------------- printable dossier


def _visible_dossier(user, pk):
    dossier = get_visible_dossier(user, pk)
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    return dossier


@require_GET
@domain_errors
def dossier_print_view(request, pk):
    dossier = _visible_dossier(request.user, pk)
    try:
        printable = dossier_print.printable_dossier(dossier)
    except NotFound as exc:
        printable, missing = None, exc.message
    else:
        missing = None
    return render(
        request,
        "outputs/dossier_print.html",
        {
            "title": _("Dossier déposé — %(name)s") % {"name": dossier.display_name},
            "dossier": dossier,
            "printable": printable,
            "missing": missing,
        },
    )


@require_GET
@domain_errors
def dossier_print_docx_view(request, pk):
    dossier = _visible_dossier(request.user, pk)
    printable = dossier_print.printable_dossier(dossier)
    return file_response(
        dossier_print.printable_docx(printable),
        dossier_print.printable_filename(printable),
        letters.DOCX_CONTENT_TYPE,
    )
