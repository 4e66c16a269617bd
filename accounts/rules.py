"""Role predicates shared by every app's rules."""

import rules

from accounts.models import Role


def role_predicate(*roles):
    @rules.predicate(name="has_role_" + "_or_".join(roles))
    def predicate(user):
        return bool(user and user.is_authenticated and user.has_role(*roles))

    return predicate


is_filiere_lead = role_predicate(Role.FILIERE_LEAD)
is_caresp_reviewer = role_predicate(Role.CARESP_REVIEWER)
is_ars_instructor = role_predicate(Role.ARS_INSTRUCTOR)
is_ars_decider = role_predicate(Role.ARS_DECIDER)
is_admin = role_predicate(Role.ADMIN)
is_ars = role_predicate(Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN)
is_internal_staff = role_predicate(
    Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN
)
