"""Rate limits of the e-mails a request can make the platform send (password reset,
invitations): at most `limit` events per key within `window`.

Counters are database rows (accounts.RateEvent, hashed keys), shared by every
application process like the login throttle's (accounts.throttle); rows older than a
day are pruned as new ones arrive."""

import datetime as dt
import hashlib

from django.utils import timezone

from accounts.models import RateEvent

KEEP = dt.timedelta(days=2)


def _key(scope, value):
    text = f"{scope}\x1f{str(value).strip().casefold()}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def count(scope, value, window, now=None):
    now = now or timezone.now()
    return RateEvent.objects.filter(
        scope=scope, key=_key(scope, value), at__gt=now - window
    ).count()


def allowed(scope, value, *, limit, window, now=None):
    """Whether one more event of `value` fits in the limit (nothing is recorded)."""
    return count(scope, value, window, now) < limit


def record(scope, value, now=None):
    now = now or timezone.now()
    RateEvent.objects.filter(at__lt=now - KEEP).delete()
    RateEvent.objects.create(scope=scope, key=_key(scope, value), at=now)


def hit(scope, value, *, limit, window, now=None):
    """Record one event if it fits in the limit; return whether it did."""
    if not allowed(scope, value, limit=limit, window=window, now=now):
        return False
    record(scope, value, now)
    return True
