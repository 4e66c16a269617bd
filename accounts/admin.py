from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, AuthFailure, RateEvent, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    inlines = [RoleGrantInline]
    list_display = ("username", "email", "first_name", "last_name", "is_active")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    # A token stays with its user; the administrator may only revoke it (revoked_at).
    readonly_fields = ("user", "key_hash", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        # Tokens are issued by `manage.py api_token` (the raw key is shown once); an
        # admin-made row would have no key at all.
        return False


@admin.register(AuthFailure)
class AuthFailureAdmin(admin.ModelAdmin):
    """Failed authentications counted by the brute-force throttle (accounts.throttle).
    Read-only; deleting the rows of a key lifts its block at once."""

    list_display = ("at", "scope", "key")
    list_filter = ("scope",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RateEvent)
class RateEventAdmin(admin.ModelAdmin):
    """E-mails counted by the rate limits (accounts.ratelimit). Read-only; deleting rows
    lifts a limit at once."""

    list_display = ("at", "scope", "key")
    list_filter = ("scope",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
