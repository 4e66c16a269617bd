from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from campaign.domain.deadline_display import deadline_passed, time_left
from campaign.queries import lead_calls
from dossiers.models import Dossier


class HomeView(LoginRequiredMixin, TemplateView):
    """A lead's campaigns and dossiers; internal staff go to the list of dossiers."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        if user.is_internal_staff and not user.filiere_ids:
            return redirect("scoring:dashboard")
        if user.is_campaign_admin and not user.filiere_ids:
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
        rows = [
            {
                "filiere": filiere,
                "campaign": campaign,
                "deadline": deadline,
                "extended": extended,
                "deadline_passed": deadline_passed(deadline),
                "time_left": time_left(deadline),
                "dossier": dossiers.get((campaign.pk, filiere.pk)),
            }
            for campaign, filiere, deadline, extended in lead_calls(user)
        ]
        context.update(title=_("Accueil"), rows=rows, is_staff_too=user.is_internal_staff)
        return context


def api_not_found(request):
    """An address under /api/v1/ that no endpoint answers (api.md error shape)."""
    return JsonResponse({"detail": _("Ressource introuvable."), "errors": {}}, status=404)
