"""Outputs pages: exports, decision letters, background jobs,
coverage report and printable dossiers. Every view checks permissions on the
server through the same domain functions as the API; domain errors become their
page through common.views."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from campaign.models import Campaign
from campaign.queries import visible_campaigns
from campaign.views.mixins import CampaignMixin
from common.errors import Conflict, NotFound
from common.once import once_redirect
from common.views import DomainFormMixin, file_download
from dossiers.domain.access import visible_dossiers
from dossiers.domain.receipts import receipt_snapshot
from dossiers.enums import SUBMITTED_STATES, DossierState
from dossiers.views.mixins import DossierMixin
from outputs.domain import coverage, dossier_print, exports, jobs, letters, receipt_docx
from outputs.forms import ExportForm, LetterSettingsForm
from outputs.models import OutputJob
from outputs.rules import can_manage_letter_template

LETTERS_PER_PAGE = 50
EXPORT_KINDS = [
    OutputJob.Kind.DECISIONS_XLSX,
    OutputJob.Kind.DECISIONS_ODS,
    OutputJob.Kind.DECISIONS_CSV,
]


STAFF_ONLY = gettext_lazy("Cette page est réservée à l'ARS et à la CARESP.")


class StaffCampaignMixin(CampaignMixin, PermissionRequiredMixin):
    """A campaign's outputs page: its staff only (403 for the others)."""

    permission_required = "outputs.export_campaign"
    permission_denied_message = STAFF_ONLY

    def get_permission_object(self):
        return self.campaign


# ---------------------------------------------------------------- home


class OutputsHomeView(LoginRequiredMixin, View):
    """Staff: the campaigns and their outputs. Leads: their decisions and printable dossiers."""

    def get(self, request):
        user = request.user
        campaigns = (
            list(visible_campaigns(user).select_related("region").order_by("-opens_at"))
            if user.is_internal_staff
            else []
        )
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


def _jobs_with_urls(campaign, kinds, user):
    result = []
    for job in jobs.recent_jobs(campaign, kinds, user=user):
        job.urls = _job_urls(campaign, job)
        result.append(job)
    return result


class JobStatusView(CampaignMixin, View):
    """Polled by the pages while a file is generated (JSON)."""

    def get(self, request, slug, job_id):
        job = jobs.get_job(request.user, self.campaign, job_id)
        return JsonResponse(jobs.job_status(job, _job_urls(self.campaign, job)["download_url"]))


class JobDownloadView(CampaignMixin, View):
    def get(self, request, slug, job_id):
        job = jobs.get_job(request.user, self.campaign, job_id)
        if job.status != OutputJob.Status.DONE or not job.file:
            raise Conflict(_("Le fichier n'est pas encore prêt."))
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=jobs.JOB_CONTENT_TYPES[job.kind],
        )


# ---------------------------------------------------------------- exports


class ExportsView(StaffCampaignMixin, View):
    """The decisions export: at once up to a size, else a background job."""

    def get(self, request, slug):
        return self.render_page(ExportForm())

    def post(self, request, slug):
        form = ExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez le format xlsx, ods ou csv."))
            return self.render_page(form)
        fmt = form.cleaned_data["format"]
        if exports.exported_row_count(self.campaign) <= exports.sync_max_rows():
            filename, content_type, data = exports.export_decisions(
                self.campaign, fmt, reader=exports.reader_for(request.user, self.campaign)
            )
            return file_download(data, filename, content_type)

        def start():
            job = jobs.start_job(request.user, self.campaign, jobs.kind_for_format(fmt))
            messages.success(
                request,
                _("Export %(fmt)s lancé en tâche de fond : il sera téléchargeable ci-dessous.")
                % {"fmt": fmt.upper()},
            )
            return reverse("outputs:exports", args=[slug]) + f"#job-{job.pk}"

        return once_redirect(request, start, _("Cet export était déjà lancé."))

    def render_page(self, form):
        return render(
            self.request,
            "outputs/exports.html",
            {
                "title": _("Export des décisions"),
                "campaign": self.campaign,
                "rows": exports.exported_row_count(self.campaign),
                "sync_max_rows": exports.sync_max_rows(),
                "form": form,
                "jobs": _jobs_with_urls(self.campaign, EXPORT_KINDS, self.request.user),
            },
        )


# ---------------------------------------------------------------- letters


def _letters_context(request, campaign, form=None):
    # Plain values: the rows are built by outputs.templatetags.letter_rows.
    decided = (
        campaign.dossiers.filter(state=DossierState.DECIDED)
        .order_by("filiere__name", "id")
        .values_list("id", "filiere__name", "outcome", "decided_at")
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
        "jobs": _jobs_with_urls(campaign, [OutputJob.Kind.LETTERS_ZIP], request.user),
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
            "Balises d'une fiche projet (dans {%tr for p in projects %} … {%tr endfor %} "
            "ou {%p for p in funded_projects %} … {%p endfor %})"
        ),
        "extra_tag_tables": [
            (
                _(
                    "Balises d'une ligne de financement d'une fiche (dans "
                    "{%tr for l in p.lines %} … {%tr endfor %})"
                ),
                letters.LINE_TAGS,
            ),
            (
                _(
                    "Balises d'une année de financement (dans {%tr for y in years %} … "
                    "{%tr endfor %})"
                ),
                letters.YEAR_TAGS,
            ),
        ],
    }


class LettersView(StaffCampaignMixin, View):
    def get(self, request, slug):
        return render(request, "outputs/letters.html", _letters_context(request, self.campaign))


class LettersZipView(CampaignMixin, View):
    """POST: all the campaign's letters as a ZIP, generated in the background."""

    http_method_names = ["post"]

    def post(self, request, slug):
        campaign = self.campaign
        if not campaign.dossiers.filter(state=DossierState.DECIDED).exists():
            jobs.check_can_export(request.user, campaign)
            messages.warning(
                request, _("Aucun dossier n'est encore décidé : aucun courrier à générer.")
            )
            return redirect("outputs:letters", slug=slug)

        def start():
            job = jobs.start_job(request.user, campaign, OutputJob.Kind.LETTERS_ZIP)
            messages.success(
                request, _("Génération des courriers lancée : suivez l'avancement ci-dessous.")
            )
            return reverse("outputs:letters", args=[slug]) + f"#job-{job.pk}"

        return once_redirect(request, start, _("Cette génération était déjà lancée."))


class LetterSettingsView(CampaignMixin, PermissionRequiredMixin, DomainFormMixin, View):
    """POST: signatory, appeal mention and letter template (administrators)."""

    http_method_names = ["post"]
    permission_required = "outputs.manage_letter_template"
    permission_denied_message = gettext_lazy(
        "Seul un administrateur peut modifier le modèle de courrier."
    )

    def get_permission_object(self):
        return self.campaign

    def post(self, request, slug):
        form = self.domain_form = LetterSettingsForm(
            request.POST, request.FILES, instance=self.campaign
        )
        if not form.is_valid():
            return self.form_invalid(form)
        letters.update_letter_settings(
            request.user,
            self.campaign,
            signatory_name=form.cleaned_data["signatory_name"],
            signatory_title=form.cleaned_data["signatory_title"],
            appeal_mention=form.cleaned_data["appeal_mention"],
            template_data=form.cleaned_data["template"],
            reset_template=form.cleaned_data["reset_template"],
            contact={key: form.cleaned_data[key] for key in letters.CONTACT_FIELDS},
            report_due_date=form.cleaned_data["report_due_date"],
        )
        messages.success(request, _("Paramètres des courriers enregistrés."))
        return redirect("outputs:letters", slug=slug)

    def form_invalid(self, form, status=400):
        campaign = Campaign.objects.get(pk=self.campaign.pk)  # the form changed the instance
        return render(
            self.request,
            "outputs/letters.html",
            _letters_context(self.request, campaign, form),
            status=status,
        )


class LetterTemplateView(StaffCampaignMixin, View):
    def get(self, request, slug):
        campaign = self.campaign
        default = request.GET.get("defaut") == "1"
        data = (
            letters.DEFAULT_TEMPLATE.read_bytes() if default else letters.template_bytes(campaign)
        )
        name = "modele-courrier-defaut.docx" if default else f"modele-courrier-{campaign.slug}.docx"
        return file_download(data, name, letters.DOCX_CONTENT_TYPE)


class DossierLetterView(LoginRequiredMixin, View):
    def get(self, request, pk):
        filename, data = letters.letter_for(request.user, pk)
        return file_download(data, filename, letters.DOCX_CONTENT_TYPE)


# ---------------------------------------------------------------- coverage


class CoverageView(StaffCampaignMixin, View):
    permission_required = "outputs.view_coverage"

    def get(self, request, slug):
        return render(
            request,
            "outputs/coverage.html",
            {
                "title": _("Couverture des territoires"),
                "campaign": self.campaign,
                "report": coverage.coverage_report(self.campaign),
            },
        )


# ---------------------------------------------------------------- printable dossier


class DossierPrintView(DossierMixin, View):
    def get(self, request, pk):
        dossier = self.dossier
        try:
            printable, missing = dossier_print.printable_dossier(dossier), None
        except NotFound as exc:  # never submitted: the page says so
            printable, missing = None, exc.message
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


class DossierPrintDocxView(DossierMixin, View):
    def get(self, request, pk):
        printable = dossier_print.printable_dossier(self.dossier)
        return file_download(
            dossier_print.printable_docx(printable),
            dossier_print.printable_filename(printable),
            letters.DOCX_CONTENT_TYPE,
        )


class ReceiptDocxView(DossierMixin, View):
    """The receipt of a deposit as a .docx (issue 11): same readers as the receipt page
    (the filière's editors, the staff of its region; 404 for anyone else)."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, number):
        snapshot = receipt_snapshot(request.user, self.dossier, number)
        data, filename = receipt_docx.receipt_docx(self.dossier, snapshot)
        return file_download(data, filename, letters.DOCX_CONTENT_TYPE)
