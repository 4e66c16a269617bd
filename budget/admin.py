from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from budget.models import Delegation, Envelope, EnvelopeAmendment
from common.admin import WHERE_LABEL, where_to_change


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    """Read-only: an envelope's amount changes only through an amendment (budget page,
    API), which keeps its history and refuses to go below what is granted; the budget
    creates a missing envelope at 0 € (budget.domain.envelopes.get_envelope)."""

    list_display = ("campaign", "kind", "amount")
    list_filter = ("campaign",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EnvelopeAmendment)
class EnvelopeAmendmentAdmin(admin.ModelAdmin):
    """Read-only: amendments are recorded through the budget pages."""

    list_display = ("envelope", "date", "previous_amount", "new_amount", "reason")
    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        return where_to_change(
            "budget:dashboard", [obj.envelope.campaign.slug], _("Tableau de bord budgétaire")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read-only: delegations are recorded through the budget pages, which check the amounts."""

    list_display = ("line", "date", "amount", "instrument", "beneficiary_finess", "created_by")
    list_filter = ("instrument",)
    readonly_fields = ("where",)

    @admin.display(description=WHERE_LABEL)
    def where(self, obj):
        return where_to_change(
            "budget:delegations",
            [obj.line.project.dossier.campaign.slug],
            _("Délégations de crédits"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
