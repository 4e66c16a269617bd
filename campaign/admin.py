from django.contrib import admin

from campaign.models import Campaign, DeadlineExtension, Filiere, Territory


class TerritoryInline(admin.TabularInline):
    model = Territory
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "opens_at", "deadline", "decision_date")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TerritoryInline]


@admin.register(Filiere)
class FiliereAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "slug")
    list_filter = ("campaign",)
    filter_horizontal = ("territories", "editors")
    search_fields = ("name", "slug")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(admin.ModelAdmin):
    list_display = ("filiere", "campaign", "until", "reason", "granted_by", "created_at")
    list_filter = ("campaign",)
