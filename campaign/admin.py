from django.contrib import admin

from campaign.models import (
    Campaign,
    DeadlineExtension,
    Delegation,
    Envelope,
    EnvelopeAmendment,
    Filiere,
    Territory,
)


class TerritoryInline(admin.TabularInline):
    model = Territory
    extra = 0


class EnvelopeInline(admin.TabularInline):
    """Read-only: an envelope's amount changes only through an amendment (budget page,
    API), which keeps its history and refuses to go below what is granted."""

    model = Envelope
    extra = 0
    readonly_fields = ("kind", "amount")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # The budget creates a missing envelope at 0 € (campaign.domain.budget.get_envelope).
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "opens_at", "deadline", "decision_date")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TerritoryInline, EnvelopeInline]


@admin.register(Filiere)
class FiliereAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "slug")
    list_filter = ("campaign",)
    filter_horizontal = ("territories", "editors")
    search_fields = ("name", "slug")


@admin.register(EnvelopeAmendment)
class EnvelopeAmendmentAdmin(admin.ModelAdmin):
    """Read-only: amendments are recorded through the budget pages."""

    list_display = ("envelope", "date", "previous_amount", "new_amount", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("filiere", "campaign", "until", "reason", "granted_by", "created_at")
    list_filter = ("campaign",)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read-only: delegations are recorded through the budget pages, which check the amounts."""

    list_display = ("line", "date", "amount", "instrument", "beneficiary_finess", "created_by")
    list_filter = ("instrument",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
