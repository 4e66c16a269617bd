"""Who may do what with a campaign's reference data: its filières' editors, and the
deadline extensions."""

import rules

from accounts.rules import is_admin, is_ars_instructor, is_campaign_admin


@rules.predicate
def is_filiere_editor(user, filiere):
    """The filière's lead or one of its co-editors."""
    if filiere is None or not user.is_authenticated:
        return False
    return filiere.id in user.filiere_ids


@rules.predicate
def is_editor_of_invitation_filiere(user, invitation):
    """An editor of the filière an invitation is for (co-editors invite each other)."""
    if invitation is None or invitation.filiere_id is None:
        return False
    return is_filiere_editor.test(user, invitation.filiere)


can_invite_editor = is_filiere_editor


# Re-send or cancel an invitation: its filière's editors (an invitation of the ARS to a
# filière's lead adds its own predicate here).
@rules.predicate
def is_admin_of_invitation_region(user, invitation):
    """The administrators of the invitation's region (the national one for a national
    role): the ARS re-sends or cancels the invitations it sent to leads."""
    if invitation is None:
        return False
    if invitation.region_id is None:
        return is_admin.test(user)
    return is_campaign_admin.test(user, invitation)


can_manage_invitation = is_editor_of_invitation_filiere | is_admin_of_invitation_region
can_grant_extension = is_ars_instructor | is_admin
# The region's calls set up in the interface (docs/decisions/0040): the national
# administrator or the region's own (region_admin), tested with the region or campaign.
can_set_up_campaign = is_campaign_admin
# The call's documents (specifications, regional diagnostic): the region's instructors
# and those who set up its calls.
can_manage_documents = is_ars_instructor | is_campaign_admin

rules.add_perm("campaign.invite_editor", can_invite_editor)
rules.add_perm("campaign.manage_invitation", can_manage_invitation)
rules.add_perm("campaign.grant_extension", can_grant_extension)
rules.add_perm("campaign.set_up_campaign", can_set_up_campaign)
rules.add_perm("campaign.manage_documents", can_manage_documents)
