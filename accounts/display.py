"""How people are named to the filières (applicants): staff by their institution,
never by their name or login (issue 12)."""

from django.utils.translation import gettext as _

from accounts.models import ARS_ROLES, Role


def user_name(first_name, last_name, username):
    """str(user) (accounts.User: its full name, else its username) from plain values."""
    return f"{first_name} {last_name}".strip() or username


def shown_to_applicants(user, region_id):
    """« l'ARS » for ARS staff (and the administrator), « la CARESP » for a CARESP
    reviewer, in the region `region_id`; anyone else (a co-editor) by their name."""
    if user is None:
        return "—"
    if user.has_role_in(region_id, *ARS_ROLES):
        return _("l'ARS")
    if user.has_role_in(region_id, Role.CARESP_REVIEWER):
        return _("la CARESP")
    if user.is_internal_staff:
        return _("l'ARS")
    return user.get_full_name() or user.username
