"""ProConnect sign-in (OpenID Connect, mozilla-django-oidc; docs/decisions/0041).

On when the `OIDC_*` settings come from the environment (config.settings). An agent or
a professional signs in with ProConnect and is matched to their account: by the
ProConnect identity (`sub`) linked at an earlier sign-in, else, the first time, by the
e-mail ProConnect vouches for (an invitation created the account with that address).
An address the platform does not know is refused with a French page: nobody gets an
account by signing in. Password accounts stay (the demo, and wherever ProConnect is
off). Signing out also ends the ProConnect session (RP-initiated logout)."""

import logging
import secrets
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.models import User

logger = logging.getLogger(__name__)

REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
REFUSED_KEY = "proconnect_refused"


def enabled():
    """ProConnect is configured (read at each request: tests switch it on)."""
    return all(getattr(settings, name, "") for name in REQUIRED)


def provider_origins():
    """The provider's origins, which the CSP's form-action must allow (signing out posts
    a form that ends at the provider)."""
    if not enabled():
        return []
    origins = []
    for name in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_LOGOUT_ENDPOINT"):
        url = getattr(settings, name, "") or ""
        parts = url.split("/")
        if len(parts) > 2 and parts[0] in ("http:", "https:"):
            origin = "/".join(parts[:3])
            if origin not in origins:
                origins.append(origin)
    return origins


class ProConnectBackend(OIDCAuthenticationBackend):
    """The account of a ProConnect identity: linked `sub`, else the same e-mail (never
    an account already linked to another identity). Nobody is created here."""

    def __init__(self, *args, **kwargs):
        try:
            super().__init__(*args, **kwargs)
        except ImproperlyConfigured:
            # Switched off since this session began: get_user() still works.
            self.UserModel = User

    def authenticate(self, request, **kwargs):
        if request is None or not enabled() or "nonce" not in kwargs:
            return None  # a password sign-in: not ours
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        """The provider's key that signed `token`: the one of its `kid` and algorithm; a
        token without `kid` only from a provider publishing a single key."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = response.json().get("keys", [])
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        candidates = [
            key
            for key in keys
            if (kid is None or key.get("kid") == kid) and key.get("alg", alg) == alg
        ]
        if len(candidates) != 1 or (kid is None and len(keys) != 1):
            raise SuspiciousOperation("Could not find the provider's signing key.")
        return jwt.PyJWK(candidates[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("JWT audience is not this client.")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("JWT issuer is not the provider.")
        return payload

    def verify_claims(self, claims):
        return bool(claims.get("sub")) and bool(claims.get("email"))

    def filter_users_by_claims(self, claims):
        users = self.UserModel.objects.filter(is_active=True)
        linked = users.filter(proconnect_sub=claims["sub"])
        if linked.exists():
            return linked
        matches = users.filter(email__iexact=claims["email"].strip(), proconnect_sub__isnull=True)
        if not matches.exists() and self.request is not None:
            self.request.session[REFUSED_KEY] = claims["email"][:254]
        return matches

    def update_user(self, user, claims):
        changed = []
        if not user.proconnect_sub:
            user.proconnect_sub = claims["sub"]
            changed.append("proconnect_sub")
        if not user.first_name and claims.get("given_name"):
            user.first_name = str(claims["given_name"])[:150]
            changed.append("first_name")
        last = claims.get("usual_name") or claims.get("family_name")
        if not user.last_name and last:
            user.last_name = str(last)[:150]
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
            logger.info("ProConnect identity linked to account %s", user.pk)
        return user


class EnabledOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404(_("La connexion ProConnect n'est pas activée."))
        return super().dispatch(request, *args, **kwargs)


class SignInView(EnabledOnlyMixin, OIDCAuthenticationRequestView):
    """/comptes/proconnect/connexion/: off to ProConnect, with a fresh state and nonce."""

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)
        self.OIDC_OP_AUTH_ENDPOINT = getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", "")
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")


class CallbackView(EnabledOnlyMixin, OIDCAuthenticationCallbackView):
    """/comptes/proconnect/retour/: the provider's answer. A tampered or replayed answer
    (unknown state, wrong nonce, bad signature) and an unknown e-mail are refused."""

    def get(self, request):
        request.session.pop(REFUSED_KEY, None)
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("ProConnect answer refused: %s", exc)
            return render(
                request,
                "accounts/proconnect_refused.html",
                {
                    "title": _("Connexion ProConnect refusée"),
                    "tampered": True,
                },
                status=400,
            )

    def login_failure(self):
        return HttpResponseRedirect(reverse("accounts:proconnect_refused"))

    def login_success(self):
        response = super().login_success()
        self.request.session["proconnect"] = True
        return response


class RefusedView(View):
    """Why ProConnect did not let the person in, and what to do."""

    def get(self, request):
        return render(
            request,
            "accounts/proconnect_refused.html",
            {
                "title": _("Connexion ProConnect refusée"),
                "email": request.session.get(REFUSED_KEY, ""),
            },
        )


def provider_logout_url(request):
    """The provider's end-session address for this session (id_token_hint, state, where
    to come back), or None when the session did not come from ProConnect."""
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    id_token = request.session.get("oidc_id_token")
    if not (enabled() and endpoint and id_token):
        return None
    params = {
        "id_token_hint": id_token,
        "state": secrets.token_urlsafe(16),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
    }
    return f"{endpoint}?{urlencode(params)}"


class LogoutView(auth_views.LogoutView):
    """Django's sign-out; a ProConnect session is ended at the provider too."""

    def post(self, request, *args, **kwargs):
        provider_url = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if provider_url:
            auth.logout(request)
            return HttpResponseRedirect(provider_url)
        return response
