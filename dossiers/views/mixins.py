"""What the pages of every app that show one dossier share."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dossiers.domain.access import get_visible_dossier_or_404
from dossiers.domain.due_dates import overdue_message
from dossiers.rules import can_edit_dossier, is_dossier_editor


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


class EditorMixin(DossierMixin):
    """Pages that write the dossier: its editors only (403 for the others, staff
    included). Once the dossier is no longer editable, a GET goes to the read-only page
    with a message; a POST goes on to the domain, which refuses it with a Conflict
    (shown on the view's form, what was typed kept, or on the 409 page)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.dossier = get_visible_dossier_or_404(
            request.user, kwargs["pk"], queryset=self.dossier_queryset
        )
        if not is_dossier_editor.test(request.user, self.dossier):
            raise PermissionDenied(
                _("Seuls les porteurs de la filière peuvent modifier ce dossier.")
            )
        if request.method != "POST" and not can_edit_dossier.test(request.user, self.dossier):
            messages.info(
                request,
                overdue_message(self.dossier)
                if self.dossier.completion_overdue()
                else _("Le dossier est « %(state)s » : il ne peut plus être modifié.")
                % {"state": self.dossier.get_state_display()},
            )
            return redirect("dossiers:detail", pk=self.dossier.pk)
        return super(DossierMixin, self).dispatch(request, *args, **kwargs)
