"""Brute-force throttle of the authentication (login form, Django admin login, API tokens).

MAX_FAILURES failed attempts within WINDOW block the following attempts until the oldest
of them leaves the window:
- login (our form and the admin's): counted per username (case-insensitive) and client
  address; blocked attempts are refused without checking the password, with the French
  message TOO_MANY (the admin's form shows its generic refusal);
- API tokens: counted per client address; a blocked address gets 429 for every bearer
  token, valid or not, until the window has passed.
A successful login clears its counter. Counters are database rows (AuthFailure), shared
by every application process; no cache, no extra package.

The client address is REMOTE_ADDR, or the META key named by the CLIENT_IP_HEADER setting
(e.g. "HTTP_X_REAL_IP") when a trusted reverse proxy sets it (first address of a list)."""

import datetime as dt
import hashlib
import math

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuthFailure
from common.errors import TooManyRequests

MAX_FAILURES = 10
WINDOW = dt.timedelta(minutes=15)
# Failures older than this are deleted when a new failure is recorded.
KEEP = dt.timedelta(days=1)


class TooManyAttempts(TooManyRequests):
    pass


def client_ip(request):
    header = getattr(settings, "CLIENT_IP_HEADER", "") or ""
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return value[:64] or "inconnue"


def _key(*parts):
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def login_key(request, username):
    return _key("login", str(username).strip().casefold(), client_ip(request))


def token_key(request):
    return _key("token", client_ip(request))


def _recent(scope, key, now):
    return AuthFailure.objects.filter(scope=scope, key=key, at__gt=now - WINDOW)


def is_blocked(scope, key, now=None):
    now = now or timezone.now()
    return _recent(scope, key, now).count() >= MAX_FAILURES


def minutes_left(scope, key, now=None):
    """Minutes until the block of `key` ends (at least 1)."""
    now = now or timezone.now()
    times = list(_recent(scope, key, now).order_by("-at").values_list("at", flat=True))
    if len(times) < MAX_FAILURES:
        return 0
    ends = times[MAX_FAILURES - 1] + WINDOW
    return max(1, math.ceil((ends - now).total_seconds() / 60))


def record_failure(scope, key, now=None):
    """Count one failure (not beyond the block: a blocked key does not extend its block)."""

    now = now or timezone.now()
    if _recent(scope, key, now).count() >= MAX_FAILURES:
        return
    AuthFailure.objects.filter(at__lt=now - KEEP).delete()
    AuthFailure.objects.create(scope=scope, key=key, at=now)


def clear(scope, key):
    AuthFailure.objects.filter(scope=scope, key=key).delete()


def too_many_message(scope, key, now=None):
    minutes = minutes_left(scope, key, now) or math.ceil(WINDOW.total_seconds() / 60)
    if scope == "token":
        return _(
            "Trop de tentatives d'authentification par jeton depuis cette adresse : "
            "réessayez dans %(minutes)d minute(s)."
        ) % {"minutes": minutes}
    return _(
        "Trop de tentatives de connexion infructueuses pour cet identifiant : "
        "réessayez dans %(minutes)d minute(s)."
    ) % {"minutes": minutes}


# ----------------------------------------------------------------------------- login


def login_blocked(request, username):
    return is_blocked("login", login_key(request, username))


def on_login_failed(sender, credentials, request=None, **kwargs):
    """user_login_failed: count the failure (credentials hold no password here)."""
    username = credentials.get("username")
    if request is None or not username:
        return
    record_failure("login", login_key(request, username))


def on_logged_in(sender, request, user, **kwargs):
    """user_logged_in: a successful login clears the counter of that username and address."""
    if request is None or not getattr(request, "META", None):
        return
    clear("login", login_key(request, user.get_username()))


# ----------------------------------------------------------------------------- API tokens


def check_token_allowed(request):
    key = token_key(request)
    if is_blocked("token", key):
        raise TooManyAttempts(too_many_message("token", key))
    return key
