"""How a deadline is shown to a lead: "Il reste 3 jours et 4 heures" or "Date limite dépassée"."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def deadline_passed(deadline, now=None):
    """Same rule as Campaign.is_open_for: the last second of the deadline is still accepted."""
    now = now or timezone.now()
    return now >= deadline.replace(microsecond=0) + dt.timedelta(seconds=1)


def time_left(deadline, now=None):
    """French sentence for the time left before `deadline` (floored, two units at most)."""
    now = now or timezone.now()
    if deadline_passed(deadline, now):
        return _("Date limite dépassée")
    seconds = max(0, int((deadline - now).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60

    def n_days(n):
        return ngettext("%(n)d jour", "%(n)d jours", n) % {"n": n}

    def n_hours(n):
        return ngettext("%(n)d heure", "%(n)d heures", n) % {"n": n}

    def n_minutes(n):
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}

    if days:
        parts = [n_days(days)] + ([n_hours(hours)] if hours else [])
    elif hours:
        parts = [n_hours(hours)] + ([n_minutes(minutes)] if minutes else [])
    elif minutes:
        parts = [n_minutes(minutes)]
    else:
        return _("Il reste moins d'une minute")
    return _("Il reste %(left)s") % {"left": " et ".join(parts)}
