"""Staff side: list of dossiers and read-only view (owned by the staff UI work)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import path
from django.views.generic import DetailView, ListView

from dossiers.domain.access import get_visible_dossier, visible_dossiers
from dossiers.models import Dossier


class DossierListView(LoginRequiredMixin, ListView):
    template_name = "dossiers/list.html"

    def get_queryset(self):
        return visible_dossiers(
            self.request.user, Dossier.objects.select_related("filiere", "campaign")
        )


class DossierDetailView(LoginRequiredMixin, DetailView):
    template_name = "dossiers/detail.html"

    def get_object(self, queryset=None):
        dossier = get_visible_dossier(self.request.user, self.kwargs["pk"])
        if dossier is None:
            raise Http404
        return dossier


urlpatterns = [
    path("", DossierListView.as_view(), name="list"),
    path("<int:pk>/", DossierDetailView.as_view(), name="detail"),
]
