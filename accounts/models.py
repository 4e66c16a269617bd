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
    # Sets up the region's calls (docs/decisions/0040): dates, envelopes, territories,
    # grid, filières and their leads, publication; reads no dossier by this role alone.
    REGION_ADMIN = "region_admin", _("Administrateur régional (ARS)")


STAFF_ROLES = frozenset({Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN})
ARS_ROLES = frozenset({Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN})
# The regional roles that read the region's submitted dossiers.
READER_ROLES = frozenset({Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER})
# Held for one region (RoleGrant.region); the others are national (admin) or come with
# the filières one writes for (lead).
REGIONAL_ROLES = READER_ROLES | {Role.REGION_ADMIN}
# Agents of an ARS or of a CARESP: never co-editors of a dossier.
AGENCY_ROLES = STAFF_ROLES | {Role.REGION_ADMIN}


class User(AbstractUser):
    """A person; what they may do comes from their role grants and filières."""

    # The ProConnect identity (OpenID Connect `sub`) linked at the first sign-in, when
    # the account was found by its e-mail (accounts.proconnect).
    proconnect_sub = models.CharField(
        _("identifiant ProConnect"), max_length=255, unique=True, null=True, blank=True
    )

    @cached_property
    def grants(self):
        """{role: frozenset of region ids (empty for a national role)}, loaded once per
        request (predicates call this a lot)."""
        grants = {}
        for role, region_id in self.role_grants.values_list("role", "region_id"):
            grants.setdefault(role, set())
            if region_id is not None:
                grants[role].add(region_id)
        return {role: frozenset(regions) for role, regions in grants.items()}

    @property
    def role_codes(self):
        return frozenset(self.grants)

    def has_role(self, *roles):
        """Holds one of these roles, in any region."""
        return bool(self.role_codes.intersection(roles))

    def has_role_in(self, region_id, *roles):
        """Holds one of these roles in that region (admin: national, in every region)."""
        for role in roles:
            if role == Role.ADMIN and role in self.grants:
                return True
            if region_id in self.grants.get(role, ()):
                return True
        return False

    @property
    def is_national(self):
        """The administrator's role is national: every region's data."""
        return Role.ADMIN in self.grants

    @cached_property
    def staff_region_ids(self):
        """The regions whose submitted dossiers this person reads (CARESP, ARS roles)."""
        return frozenset(region for role in READER_ROLES for region in self.grants.get(role, ()))

    @cached_property
    def region_ids(self):
        """Every region where this person holds a regional role (the set-up's included):
        the regions whose campaigns, drafts included, they know of."""
        return frozenset(region for role in REGIONAL_ROLES for region in self.grants.get(role, ()))

    def region_ids_for(self, *roles):
        """The regions where this person holds one of these roles (not the national ones)."""
        return frozenset(region for role in roles for region in self.grants.get(role, ()))

    @property
    def is_internal_staff(self):
        """CARESP or ARS staff: may read submitted dossiers."""
        return bool(self.role_codes & STAFF_ROLES)

    @property
    def is_agency_staff(self):
        """An agent of an ARS or of a CARESP (regional administrators included)."""
        return bool(self.role_codes & AGENCY_ROLES)

    @property
    def is_campaign_admin(self):
        """Sets up campaigns somewhere (national or regional administrator): menus."""
        return bool(self.role_codes & {Role.ADMIN, Role.REGION_ADMIN})

    @cached_property
    def filiere_ids(self):
        return frozenset(self.filieres.values_list("id", flat=True))

    @property
    def has_applicant_home(self):
        """Whether « Accueil » (the filières' home, `/`) is this person's own page: they
        hold no staff or set-up role, or they are also a lead writing for a filière. The
        others' home redirects to their own page (Instruction, Paramétrage), which the
        menu names instead (config.views.HomeView, common/nav_items.html). The filières
        are read only for agents who hold the lead role (the menu of every staff page)."""
        if not (self.is_internal_staff or self.is_campaign_admin):
            return True
        return Role.FILIERE_LEAD in self.grants and bool(self.filiere_ids)

    def forget_cached_access(self):
        """Drop what was read of the roles and filières (after granting one)."""
        for name in ("grants", "staff_region_ids", "region_ids", "filiere_ids"):
            self.__dict__.pop(name, None)

    def __str__(self):
        return self.get_full_name() or self.username


class RoleGrant(models.Model):
    """A role held by a person: the CARESP and ARS roles for one region, the
    administrator's nationally, the lead's with the filières they write for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "campaign.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("région"),
    )

    class Meta:
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(region__isnull=False),
                name="unique_regional_role_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(region__isnull=True),
                name="unique_national_role_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(REGIONAL_ROLES), region__isnull=False)
                | (~models.Q(role__in=sorted(REGIONAL_ROLES)) & models.Q(region__isnull=True)),
                name="regional_roles_have_a_region",
            ),
        ]

    def __str__(self):
        if self.region_id:
            return f"{self.user} — {self.get_role_display()} ({self.region})"
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
    address, client address, or username for the login; client address for tokens): no
    password, no token, no clear username is stored. Rows older than the window are pruned as new failures arrive."""

    class Scope(models.TextChoices):
        LOGIN = "login", _("Connexion (identifiant et adresse)")
        ADDRESS = "address", _("Connexion (adresse, tous identifiants)")
        USERNAME = "username", _("Connexion (identifiant, toutes adresses)")
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


class RateEvent(models.Model):
    """One e-mail sent on someone's request (password reset, invitation), for the rate
    limits of accounts.ratelimit. `key` is a hash of what is counted together (an
    address, a client address, an inviter): no clear address is stored."""

    scope = models.CharField(max_length=24)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("envoi limité")
        verbose_name_plural = _("envois limités")
        indexes = [models.Index(fields=["scope", "key", "at"], name="rateevent_lookup")]

    def __str__(self):
        return f"{self.scope} — {self.at:%d/%m/%Y %H:%M}"
