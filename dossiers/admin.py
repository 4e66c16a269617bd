from django.contrib import admin

from dossiers.models import Dossier, HistoryEntry, Snapshot


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only in the admin: dossiers change through the workflow and the forms only."""

    list_display = ("filiere", "campaign", "state", "outcome", "submitted_at", "version")
    list_filter = ("campaign", "state")
    search_fields = ("filiere__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry, Snapshot)
class AuditAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
