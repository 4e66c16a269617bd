"""Who may do what with a filière."""

import rules


@rules.predicate
def is_filiere_editor(user, filiere):
    """The filière's lead or one of its co-editors."""
    if filiere is None or not user.is_authenticated:
        return False
    return filiere.id in user.filiere_ids


can_invite_editor = is_filiere_editor

rules.add_perm("campaign.invite_editor", can_invite_editor)
