import logging
import os
from pathlib import Path

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import storages
from django.db import connection
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from storages.backends.s3 import S3Storage

from campaign.domain.deadline_display import deadline_passed, time_left
from campaign.models import DeadlineExtension
from campaign.queries import campaign_documents, lead_calls
from dossiers.models import Dossier
from followup.models import Report

logger = logging.getLogger(__name__)


class LegalPageView(TemplateView):
    """A page of the footer, open to everyone (signed in or not)."""

    title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, **kwargs)


def not_found(request, *args, **kwargs):
    """Any address no route matches: the DSFR 404 page, in the demo (DEBUG) too, through
    common.views.DomainErrorMiddleware."""
    raise Http404("")


class HomeView(LoginRequiredMixin, TemplateView):
    """A lead's campaigns and dossiers; internal staff go to the list of dossiers."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        # Without a filière, staff and administrators have their own home (the menu
        # names it instead of « Accueil »: User.has_applicant_home).
        if not user.has_applicant_home:
            if user.is_internal_staff:
                return redirect("scoring:dashboard")
            # A regional administrator only: the set-up of the region's calls.
            return redirect("setup:campaigns")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        dossiers = {
            (d.campaign_id, d.filiere_id): d
            for d in Dossier.objects.filter(filiere_id__in=user.filiere_ids).select_related(
                "campaign", "filiere"
            )
        }
        calls = lead_calls(user)
        documents = campaign_documents([campaign for campaign, *_rest in calls])
        rows = [
            {
                "filiere": filiere,
                "campaign": campaign,
                "deadline": deadline,
                "extended": extended,
                "deadline_passed": deadline_passed(deadline),
                "time_left": time_left(deadline),
                "dossier": dossiers.get((campaign.pk, filiere.pk)),
                "documents": documents.get(campaign.pk, []),
            }
            for campaign, filiere, deadline, extended in calls
        ]
        reports = list(
            Report.objects.filter(filiere_id__in=user.filiere_ids)
            .exclude(campaign__state="draft")
            .select_related("campaign", "filiere")
            .order_by("-campaign__year", "filiere__name")
        )
        # Each report's deadline (its filière's extension when later), one query for all.
        extended = {}
        if reports:
            extended = {
                (row["campaign_id"], row["filiere_id"]): row["until"]
                for row in DeadlineExtension.objects.filter(
                    campaign_id__in={r.campaign_id for r in reports},
                    filiere_id__in=user.filiere_ids,
                )
                .values("campaign_id", "filiere_id")
                .annotate(until=Max("until"))
                .order_by()
            }
        now = timezone.now()
        report_rows = []
        for report in reports:
            until = extended.get((report.campaign_id, report.filiere_id))
            deadline = max(until, report.campaign.deadline) if until else report.campaign.deadline
            report_rows.append(
                {"report": report, "deadline": deadline, "late": report.is_late(now, deadline)}
            )
        reports = report_rows
        context.update(
            title=_("Accueil"), rows=rows, reports=reports, is_staff_too=user.is_internal_staff
        )
        return context


def api_not_found(request):
    """An address under /api/v1/ that no endpoint answers (api.md error shape)."""
    return JsonResponse({"detail": _("Ressource introuvable."), "errors": {}}, status=404)


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("healthz : base de données injoignable")
        return False


def _storage_ok():
    """The files' storage can be written: the S3 bucket answers (one HEAD request on the
    bucket, a missing bucket fails too), or the local folder exists and is writable."""
    storage = storages["default"]
    try:
        if isinstance(storage, S3Storage):
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
            return True
        location = Path(storage.location)
        location.mkdir(parents=True, exist_ok=True)
        return os.access(location, os.W_OK)
    except Exception:
        logger.exception("healthz : stockage des fichiers injoignable")
        return False


@never_cache
def healthz(request):
    """For load balancers and monitoring: 200 when the database and the files' storage
    answer, 503 otherwise (what failed is named, never why: details are in the logs)."""
    checks = {"database": _database_ok(), "storage": _storage_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error"}
        | {name: "ok" if ok else "error" for name, ok in checks.items()},
        status=200 if healthy else 503,
    )
