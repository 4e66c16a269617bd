"""Brute-force throttle of the authentication (login form, Django admin login, API tokens).

Failures are counted within WINDOW, and a key that reached its limit blocks the attempts
it covers until its oldest failure leaves the window (decision 0022):
- login (our form and the admin's), three counters per failure, so that neither trying
  one password on many usernames (spraying) nor many addresses on one username works:
  - username (case-insensitive) and client address: MAX_FAILURES (10);
  - client address, whatever the username: MAX_PER_ADDRESS (30);
  - username, whatever the address: MAX_PER_USERNAME (50; higher, because anyone can
    fail on someone else's username: the price of stopping a distributed attack).
  A blocked attempt is refused without checking the password, with a French message
  (the admin's form shows its generic refusal). A successful login clears the counter
  of its username and address. Every username counts the same, existing or not.
- API tokens: failures counted per client address (MAX_FAILURES); a valid token always
  passes, so that clients behind a shared address are never locked out by someone
  else's bad tokens; a bad token from a blocked address gets 429 instead of 401.
Counters are database rows (AuthFailure, hashed keys), shared by every application
process; no cache, no extra package.

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
MAX_PER_ADDRESS = 30
MAX_PER_USERNAME = 50
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


def address_key(request):
    return _key("address", client_ip(request))


def username_key(username):
    return _key("username", str(username).strip().casefold())


def login_keys(request, username):
    """[(scope, key, limit)] of the three login counters."""
    return [
        ("login", login_key(request, username), MAX_FAILURES),
        ("address", address_key(request), MAX_PER_ADDRESS),
        ("username", username_key(username), MAX_PER_USERNAME),
    ]


def token_key(request):
    return _key("token", client_ip(request))


def _recent(scope, key, now):
    return AuthFailure.objects.filter(scope=scope, key=key, at__gt=now - WINDOW)


def is_blocked(scope, key, now=None, limit=MAX_FAILURES):
    now = now or timezone.now()
    return _recent(scope, key, now).count() >= limit


def minutes_left(scope, key, now=None, limit=MAX_FAILURES):
    """Minutes until the block of `key` ends (at least 1)."""
    now = now or timezone.now()
    times = list(_recent(scope, key, now).order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    ends = times[limit - 1] + WINDOW
    return max(1, math.ceil((ends - now).total_seconds() / 60))


def record_failure(scope, key, now=None, limit=MAX_FAILURES):
    """Count one failure (not beyond the block: a blocked key does not extend its block)."""

    now = now or timezone.now()
    if _recent(scope, key, now).count() >= limit:
        return
    AuthFailure.objects.filter(at__lt=now - KEEP).delete()
    AuthFailure.objects.create(scope=scope, key=key, at=now)


def clear(scope, key):
    AuthFailure.objects.filter(scope=scope, key=key).delete()


def too_many_message(scope, key, now=None, limit=MAX_FAILURES):
    minutes = minutes_left(scope, key, now, limit) or math.ceil(WINDOW.total_seconds() / 60)
    if scope == "token":
        return _(
            "Trop de tentatives d'authentification par jeton depuis cette adresse : "
            "réessayez dans %(minutes)d minute(s)."
        ) % {"minutes": minutes}
    if scope == "address":
        return _(
            "Trop de tentatives de connexion infructueuses depuis cette adresse : "
            "réessayez dans %(minutes)d minute(s)."
        ) % {"minutes": minutes}
    return _(
        "Trop de tentatives de connexion infructueuses pour cet identifiant : "
        "réessayez dans %(minutes)d minute(s)."
    ) % {"minutes": minutes}


# ----------------------------------------------------------------------------- login


def login_block_message(request, username, now=None):
    """The French message of the first login counter that blocks this attempt, or None."""
    now = now or timezone.now()
    for scope, key, limit in login_keys(request, username):
        if is_blocked(scope, key, now, limit):
            return too_many_message(scope, key, now, limit)
    return None


def login_blocked(request, username):
    return login_block_message(request, username) is not None


def on_login_failed(sender, credentials, request=None, **kwargs):
    """user_login_failed: count the failure (credentials hold no password here)."""
    username = credentials.get("username")
    if request is None or not username:
        return
    now = timezone.now()
    for scope, key, limit in login_keys(request, username):
        record_failure(scope, key, now, limit)


def on_logged_in(sender, request, user, **kwargs):
    """user_logged_in: a successful login clears the counter of that username and address."""
    if request is None or not getattr(request, "META", None):
        return
    clear("login", login_key(request, user.get_username()))


# ----------------------------------------------------------------------------- API tokens


def on_bad_token(request):
    """A bad bearer token: 429 from a blocked address, else counted (the caller answers
    401). Valid tokens are never checked against the counter."""
    key = token_key(request)
    if is_blocked("token", key):
        raise TooManyAttempts(too_many_message("token", key))
    record_failure("token", key)
