"""Read-only views of the review data in the Django admin.

The grid is edited on its own page (scoring:grid), which enforces the lock;
an administrator may delete a conflict of interest declared by mistake."""

from django.contrib import admin

from scoring.models import ConflictOfInterest, Criterion, Grid, Review, ReviewerAssignment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["position", "code", "label", "group", "weight"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "scale_min", "scale_max", "updated_at"]
    inlines = [CriterionInline]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "reviewer", "assigned_by", "at"]
    list_select_related = ["dossier__filiere", "reviewer", "assigned_by"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "reviewer", "at"]
    list_select_related = ["dossier__filiere", "reviewer"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "reviewer", "opinion", "submitted_at", "excluded_at"]
    list_select_related = ["dossier__filiere", "reviewer"]
