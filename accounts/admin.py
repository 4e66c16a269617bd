from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, RoleGrant, User


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
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
