import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FILIERE_LEAD = "filiere_lead", _("Porteur de filière")
    CARESP_REVIEWER = "caresp_reviewer", _("Relecteur CARESP")
    ARS_INSTRUCTOR = "ars_instructor", _("Instructeur ARS")
    ARS_DECIDER = "ars_decider", _("Décideur ARS")
    ADMIN = "admin", _("Administrateur")


STAFF_ROLES = frozenset({Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN})
ARS_ROLES = frozenset({Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN})


class User(AbstractUser):
    """A person; what they may do comes from their role grants and filières."""

    @cached_property
    def role_codes(self):
        """Role codes, loaded once per request (predicates call this a lot)."""
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles):
        return bool(self.role_codes.intersection(roles))

    @property
    def is_internal_staff(self):
        """CARESP or ARS staff: may read submitted dossiers."""
        return bool(self.role_codes & STAFF_ROLES)

    @cached_property
    def filiere_ids(self):
        return frozenset(self.filieres.values_list("id", flat=True))

    def __str__(self):
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """Personal API token; only its SHA-256 is stored, so a leak of the table leaks nothing usable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    @classmethod
    def issue(cls, user):
        """Create a token and return (token, raw key); the raw key is shown only once."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:8])
        return token, raw

    @classmethod
    def authenticate(cls, raw):
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class AuthFailure(models.Model):
    """One failed authentication (login form or API token), for the brute-force throttle
    (accounts.throttle). `key` is a hash of what is counted together (username and client
    address for the login, client address for tokens): no password, no token, no clear
    username is stored. Rows older than the window are pruned as new failures arrive."""

    class Scope(models.TextChoices):
        LOGIN = "login", _("Connexion")
        TOKEN = "token", _("Jeton d'API")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("échec d'authentification")
        verbose_name_plural = _("échecs d'authentification")
        indexes = [models.Index(fields=["scope", "key", "at"], name="authfailure_lookup")]

    def __str__(self):
        return f"{self.get_scope_display()} — {self.at:%d/%m/%Y %H:%M}"
