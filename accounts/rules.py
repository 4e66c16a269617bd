"""Role predicates shared by every app's rules.

A CARESP or ARS role is held for a region (accounts.models.RoleGrant): tested with an
object (a dossier, a campaign, a filière, a region…), a role predicate holds when the
person has the role in that object's region (`region_id`); without an object, when they
have it anywhere (menus, the API's `me`). `admin` is national. Which objects a person may
see at all is decided once, in the query layer (dossiers.domain.access,
campaign.queries)."""

import rules

from accounts.models import Role


def region_of(target):
    """The region id an object belongs to; every object a rule is tested on has one."""
    region_id = getattr(target, "region_id", None)
    if region_id is None:
        raise TypeError(f"{type(target).__name__} has no region to test a role against.")
    return region_id


def role_predicate(*roles):
    @rules.predicate(name="has_role_" + "_or_".join(roles))
    def predicate(user, target=None):
        if not (user and user.is_authenticated):
            return False
        if target is None:
            return user.has_role(*roles)
        return user.has_role_in(region_of(target), *roles)

    return predicate


is_filiere_lead = role_predicate(Role.FILIERE_LEAD)
is_caresp_reviewer = role_predicate(Role.CARESP_REVIEWER)
is_ars_instructor = role_predicate(Role.ARS_INSTRUCTOR)
is_ars_decider = role_predicate(Role.ARS_DECIDER)
is_admin = role_predicate(Role.ADMIN)
is_region_admin = role_predicate(Role.REGION_ADMIN)
# Sets up a region's calls: the national administrator or the region's own.
is_campaign_admin = role_predicate(Role.ADMIN, Role.REGION_ADMIN)
is_ars = role_predicate(Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN)
is_internal_staff = role_predicate(
    Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN
)
