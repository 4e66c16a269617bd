from django.contrib import admin

from followup.models import Report, ReportHistory, ReportSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only in the admin: reports change through the workflow and the forms only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "campaign", "kind", "state", "submitted_at", "version")
    list_filter = ("campaign", "kind", "state")
    search_fields = ("filiere__name",)


admin.site.register([ReportHistory, ReportSnapshot], ReadOnlyAdmin)
