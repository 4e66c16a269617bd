"""Shared checks of the dossier pages: who may see, who may write, and the French
refusal page (403/409) that keeps the user oriented."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from common.errors import NotFound
from dossiers.domain.access import get_visible_dossier
from dossiers.rules import can_view_dossier, is_dossier_editor


def optional_url(name, *args):
    """reverse() of a page owned by another part of the app, or None if it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def refuse(request, message, status, dossier=None):
    """A page saying why the action was refused, with a way back."""
    back = None
    if dossier is not None and can_view_dossier.test(request.user, dossier):
        back = reverse("dossiers:detail", args=[dossier.pk])
    return render(
        request,
        "dossiers/access_refused.html",
        {"message": message, "dossier": dossier, "back_url": back, "title": _("Action refusée")},
        status=status,
    )


def domain_error_response(request, exc, dossier=None):
    """Turn a domain error raised by a write into a response (404, or the refusal page)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return refuse(request, exc.message, exc.status, dossier)


def visible_or_404(request, pk, queryset=None):
    dossier = get_visible_dossier(request.user, pk, queryset=queryset)
    if dossier is None:
        raise Http404(_("Dossier introuvable."))
    return dossier


def not_editable_message(dossier):
    return _("Le dossier est « %(state)s » : il ne peut plus être modifié.") % {
        "state": dossier.get_state_display()
    }


def check_editable(request, dossier):
    """None when this user may edit this dossier now; else the response to send.

    Not an editor: 403. Editor but the dossier is frozen: a GET goes back to the
    read-only dossier with a message, a write gets the 409 refusal page."""
    if not is_dossier_editor.test(request.user, dossier):
        return refuse(
            request,
            _("Seuls les porteurs de la filière peuvent modifier ce dossier."),
            403,
            dossier,
        )
    if not dossier.is_editable:
        if request.method in ("GET", "HEAD"):
            messages.warning(request, not_editable_message(dossier))
            return redirect("dossiers:detail", dossier.pk)
        return refuse(request, not_editable_message(dossier), 409, dossier)
    return None


def safe_next(request, candidate, fallback):
    """`candidate` if it is a URL of this site (an absolute path, or a full URL of this
    host), else `fallback`. A bare word ("0", "NaN") is not a URL: redirect() would take
    it for a view name and fail."""
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
