"""The JSON API (../shared/api.md): one NinjaAPI, a router per app.

Errors always have the shape {"detail": "<French sentence>", "errors": {...}}
and never leak a 500 for bad input."""

import json
import logging

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.http.request import UnreadablePostError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from accounts import throttle
from accounts.api import router as accounts_router
from accounts.models import ApiToken
from budget.api import router as budget_router
from campaign.api import router as campaign_router
from common.api_pagination import NinjaAPI
from common.errors import DomainError
from dossiers.api import router as dossiers_router
from followup.api import router as followup_router
from outputs.api import router as outputs_router
from scoring.api import router as scoring_router

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        # Brute force: bad tokens are counted per address, and a blocked address gets
        # 429 for them; a valid token always passes (accounts.throttle).
        user = ApiToken.authenticate(token)
        if user is None:
            throttle.on_bad_token(request)
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Filières palliatives — API",
    version="1",
    description="API de la plateforme d'appel à candidatures des filières territoriales de soins palliatifs.",
    urls_namespace="api",
    auth=[BearerToken(), SessionAuth()],
    openapi_url="/openapi.json",
    docs_url="/docs" if settings.DEBUG else None,
)


def error_response(request, status, detail, errors=None):
    return api.create_response(
        request, {"detail": str(detail), "errors": errors or {}}, status=status
    )


def _location(loc):
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = {}
    for error in exc.errors:
        message = error.get("msg", "")
        kind = error.get("type", "")
        if kind == "missing":
            message = _("Ce champ est obligatoire.")
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            message = _("Valeur d'un type inattendu.")
        elif kind == "json_invalid":
            message = _("Le corps de la requête n'est pas un JSON valide.")
        else:
            message = _("Valeur invalide : %(msg)s") % {"msg": message}
        errors.setdefault(_location(error.get("loc", ())), []).append(message)
    return error_response(request, 400, _("Certaines informations sont invalides."), errors)


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    return error_response(request, exc.status, exc.message, exc.errors)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error_response(request, 400, _("Certaines informations sont invalides."), errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(
        request, 401, _("Authentification requise (jeton « Bearer » ou session).")
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, _("Ressource introuvable."))


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    messages = {
        400: _("Requête invalide."),
        401: _("Authentification requise."),
        403: _("Action non autorisée."),
        404: _("Ressource introuvable."),
        405: _("Méthode non autorisée."),
    }
    detail = messages.get(exc.status_code, str(exc))
    if exc.status_code == 403 and "CSRF" in str(exc):
        detail = _("Vérification CSRF échouée : rechargez la page.")
    return error_response(request, exc.status_code, detail)


@api.exception_handler(json.JSONDecodeError)
def on_bad_json(request, exc):
    return error_response(request, 400, _("Le corps de la requête n'est pas un JSON valide."))


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request, exc):
    return error_response(request, 413, _("La requête est trop volumineuse."))


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(SuspiciousOperation)
def on_malformed_request(request, exc):
    return error_response(request, 400, _("La requête est mal formée ou illisible."))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("Erreur inattendue dans l'API")
    return error_response(request, 500, _("Erreur interne : l'incident a été enregistré."))


def register_routers():
    for router in (
        accounts_router,
        campaign_router,
        dossiers_router,
        scoring_router,
        budget_router,
        outputs_router,
        followup_router,
    ):
        api.add_router("", router)


register_routers()
