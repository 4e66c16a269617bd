from django.contrib import admin

from campaign.models import Campaign, DeadlineExtension, Filiere, Region, Territory


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
