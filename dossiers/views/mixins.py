"""What the pages of every app that show one dossier share."""

from django.contrib.auth.mixins import LoginRequiredMixin

from dossiers.domain.access import get_visible_dossier_or_404


class DossierMixin(LoginRequiredMixin):
    """Loads `self.dossier` from the URL's pk, among the dossiers this user may know of
    (404 otherwise), before any permission check of the view. `dossier_queryset` may
    narrow or enrich what is loaded."""

    dossier_queryset = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.dossier = get_visible_dossier_or_404(
                request.user, kwargs["pk"], queryset=self.dossier_queryset
            )
        return super().dispatch(request, *args, **kwargs)
