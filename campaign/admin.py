"""The Django admin of the reference data and the campaigns: read-only wherever a domain
rule applies (the campaign set-up pages /gestion/ and the API are where things change):
a campaign's state, calendar, territories and filières, a filière's editors, the
extensions, invitations, named leads and the campaigns' history. What stays editable is
plain reference text no rule guards (a region's agency name and mailboxes, a
coordination cell's presentation)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaign.models import (
    Campaign,
    CampaignDocument,
    CampaignEvent,
    CoordinationCell,
    DeadlineExtension,
    Filiere,
    Invitation,
    LeadNomination,
    Region,
    Territory,
)
from common.admin import WHERE_LABEL, where_to_change


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here (the domain keeps its rules)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TerritoryInline(admin.TabularInline):
    """Added and corrected on the region's page (/gestion/regions/<code>/), with its
    checks; never deleted (campaigns and filières cover them)."""

    model = Territory
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The region's reference data: its agency (address, seat city), appeal court, mailboxes and
    territories."""

    list_display = ("name", "code", "agency_name", "seat_city", "appeal_court")
    search_fields = ("name", "code")
    readonly_fields = ("code", "name")
    inlines = [TerritoryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoordinationCell)
class CoordinationCellAdmin(admin.ModelAdmin):
    list_display = ("acronym", "region", "carrier")
    readonly_fields = ("region", "source")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Campaigns are set up, published, closed and amended at /gestion/campagnes/."""

    list_display = ("name", "region", "state", "opens_at", "deadline", "decision_date")
    list_filter = ("region", "state")
    search_fields = ("name", "slug")


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    """The campaign's history: written by the set-up pages' domain functions only."""

    list_display = ("campaign", "action", "by", "at", "reason")
    list_filter = ("action",)
    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        return where_to_change(
            "setup:campaign", [obj.campaign.slug], _("Paramétrage de la campagne")
        )


@admin.register(Filiere)
class FiliereAdmin(ReadOnlyAdmin):
    list_display = ("name", "region", "slug")
    list_filter = ("region",)
    search_fields = ("name", "slug")


@admin.register(LeadNomination)
class LeadNominationAdmin(ReadOnlyAdmin):
    list_display = ("email", "name", "filiere", "campaign", "invited_at")
    search_fields = ("email", "name")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    """Granted by the ARS instructor on the campaign's extensions page (campaign.domain.
    extensions: reason, no shortening, the campaign still open, the filière told)."""

    list_display = ("filiere", "campaign", "until", "reason", "granted_by", "created_at")
    list_filter = ("campaign",)
    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        return where_to_change(
            "campaign:extensions", [obj.campaign.slug], _("Prolongations de la campagne")
        )


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


@admin.register(CampaignDocument)
class CampaignDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are published and removed on the campaign's documents page,
    where their file is checked."""

    list_display = ("title", "kind", "campaign", "name", "uploaded_at", "uploaded_by")
    list_filter = ("campaign", "kind")
    # The file itself has no URL (MEDIA_ROOT is never served): downloaded from the page.
    fields = readonly_fields = [
        f.name for f in CampaignDocument._meta.fields if f.name not in ("id", "file")
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
