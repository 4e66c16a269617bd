"""The one path from a domain error to a page (docs/architecture.md, "Errors").

Domain functions raise common.errors exceptions; views do not catch them:
- DomainErrorMiddleware turns any of them that leaves a view into its page: NotFound
  → the DSFR 404 page, Forbidden → the 403 page (with the reason), Conflict → the 409
  page with the message and a way back, InvalidInput → the 400 page with the problems;
- a class-based view that processes a form says so with DomainFormMixin: the
  InvalidInput (and, if it wishes, the Conflict) raised while the form is processed
  goes onto the form, which is shown again with what the user typed.
The API has its own single handler (config.api)."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from common.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooManyRequests

logger = logging.getLogger("django.request")


def safe_back_url(request, candidate=None, fallback=None):
    """`candidate`, else the referring page, if it is an address of this site; else
    `fallback`. A bare word ("0", "NaN") is not a URL: redirect() would take it for a
    view name and fail."""
    for url in (candidate, request.META.get("HTTP_REFERER")):
        if (
            url
            and url.startswith(("/", "http://", "https://"))
            and not any(ord(char) < 32 or ord(char) == 127 for char in url)
            and url_has_allowed_host_and_scheme(
                url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            return url
    return fallback


def file_download(data, filename, content_type):
    """A generated file, sent as a download (never shown inline)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def domain_error_response(request, exc):
    """The page that answers a domain error."""
    if isinstance(exc, NotFound):
        return defaults.page_not_found(request, Http404(exc.message))
    if isinstance(exc, Forbidden):
        return defaults.permission_denied(request, PermissionDenied(exc.message))
    context = {
        "message": exc.message,
        "back_url": safe_back_url(request),
        "problems": [
            str(message)
            for messages in exc.errors.values()
            for message in (messages if isinstance(messages, list | tuple) else [messages])
            if not isinstance(message, dict)
        ],
    }
    if isinstance(exc, Conflict):
        return render(request, "409.html", {"title": _("Action impossible"), **context}, status=409)
    if isinstance(exc, TooManyRequests):
        return render(
            request,
            "409.html",
            {"title": _("Trop de demandes"), "status": 429, **context},
            status=429,
        )
    return render(
        request, "400.html", {"title": _("Demande incomplète"), **context}, status=exc.status
    )


class DomainErrorMiddleware:
    """Any domain error that leaves a page's view becomes its page (not a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        # The DSFR pages, in the demo (DEBUG) too, instead of Django's debug pages;
        # DJANGO_DEBUG_PAGES=1 brings those back for developers (settings).
        if settings.DEBUG_PAGES:
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        if settings.DEBUG:
            logger.error(
                "Erreur sur %s", request.path, exc_info=exception, extra={"request": request}
            )
            return defaults.server_error(request)
        return None


class DomainFormMixin:
    """A class-based view that processes a form: set `self.domain_form` before calling
    the domain; an InvalidInput it raises (and a Conflict too, with
    `conflicts_on_form = True`) is put onto the form by `apply_domain_errors` and the
    form is shown again by `form_invalid(form, status)`, which the view defines. Any
    other domain error goes on to DomainErrorMiddleware."""

    conflicts_on_form = False

    def dispatch(self, request, *args, **kwargs):
        self.domain_form = None
        try:
            return super().dispatch(request, *args, **kwargs)
        except (InvalidInput, Conflict) as exc:
            form = self.domain_form
            if form is None or (isinstance(exc, Conflict) and not self.conflicts_on_form):
                raise
            self.apply_domain_errors(form, exc)
            return self.form_invalid(form, status=exc.status)

    def apply_domain_errors(self, form, exc):
        form.add_domain_errors(exc)

    def form_invalid(self, form, status=400):
        raise NotImplementedError
