from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import WHERE_LABEL, where_to_change
from dossiers.models import Dossier, HistoryEntry, Snapshot


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only in the admin: dossiers change through the workflow and the forms only."""

    list_display = ("filiere", "campaign", "state", "outcome", "submitted_at", "version")
    list_filter = ("campaign", "state")
    search_fields = ("filiere__name",)
    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        # The decision is taken (once: it is final) on its page, within the envelopes.
        return where_to_change("budget:decision", [obj.pk], _("Décision du dossier"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry, Snapshot)
class AuditAdmin(admin.ModelAdmin):
    """Append-only (and so in PostgreSQL itself, ADR 0025): written by the workflow."""

    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        return where_to_change("dossiers:detail", [obj.dossier_id], _("Dossier et son historique"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
