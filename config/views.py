from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from campaign.domain.deadline_display import deadline_passed, time_left
from campaign.models import Filiere
from dossiers.models import Dossier


class HomeView(LoginRequiredMixin, TemplateView):
    """A lead's campaigns and dossiers; internal staff go to the list of dossiers."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if user.is_internal_staff and not user.filiere_ids:
            return redirect("scoring:dashboard")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # latest_extension mirrors Campaign.deadline_for, in the same query for every filière.
        filieres = (
            Filiere.objects.filter(pk__in=user.filiere_ids)
            .select_related("campaign")
            .annotate(latest_extension=Max("extensions__until"))
            .order_by("-campaign__opens_at", "name")
        )
        dossiers = {
            d.filiere_id: d
            for d in Dossier.objects.filter(filiere_id__in=user.filiere_ids).select_related(
                "campaign", "filiere"
            )
        }
        rows = []
        for filiere in filieres:
            campaign = filiere.campaign
            deadline = campaign.deadline
            extended = bool(filiere.latest_extension and filiere.latest_extension > deadline)
            if extended:
                deadline = filiere.latest_extension
            dossier = dossiers.get(filiere.pk)
            if dossier is not None and dossier.campaign_id != campaign.pk:
                dossier = None
            rows.append(
                {
                    "filiere": filiere,
                    "campaign": campaign,
                    "deadline": deadline,
                    "extended": extended,
                    "deadline_passed": deadline_passed(deadline),
                    "time_left": time_left(deadline),
                    "dossier": dossier,
                }
            )
        context.update(
            title=_("Accueil"),
            rows=rows,
            is_staff_too=user.is_internal_staff,
        )
        return context


def api_not_found(request):
    """An address under /api/v1/ that no endpoint answers (api.md error shape)."""
    return JsonResponse({"detail": _("Ressource introuvable."), "errors": {}}, status=404)
