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


can_invite_editor = is_filiere_editor
can_grant_extension = is_ars_instructor | is_admin
# The region's calls set up in the interface (docs/decisions/0040): the national
# administrator or the region's own (region_admin), tested with the region or campaign.
can_set_up_campaign = is_campaign_admin

rules.add_perm("campaign.invite_editor", can_invite_editor)
rules.add_perm("campaign.grant_extension", can_grant_extension)
rules.add_perm("campaign.set_up_campaign", can_set_up_campaign)
