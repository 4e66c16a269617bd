from django.contrib import admin

from campaign.models import Campaign, DeadlineExtension, Filiere, Invitation, Region, Territory


class TerritoryInline(admin.TabularInline):
    model = Territory
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The region's reference data: its agency, appeal court, mailboxes and territories."""

    list_display = ("name", "code", "agency_name", "appeal_court")
    search_fields = ("name", "code")
    inlines = [TerritoryInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "opens_at", "deadline", "decision_date")
    list_filter = ("region",)
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("territories", "filieres")


@admin.register(Filiere)
class FiliereAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "slug")
    list_filter = ("region",)
    filter_horizontal = ("territories", "editors")
    search_fields = ("name", "slug")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("filiere", "campaign", "until", "reason", "granted_by", "created_at")
    list_filter = ("campaign",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent, re-sent and cancelled through the domain
    (campaign.domain.invitations); the link's token is never stored in clear."""

    list_display = ("email", "role", "filiere", "region", "sent_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email",)
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
