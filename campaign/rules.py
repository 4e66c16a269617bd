"""Who may do what with a campaign: filière editors, and the outputs (exports, letters,
coverage, printable dossiers).

"staff" in api.md = internal staff (CARESP reviewers and ARS roles): they read
every submitted dossier, so they may export them. Letter templates are
configured by administrators. A lead reads its own decided dossier's letter
(see outputs.domain.letters.letter_for) and prints its own dossier."""

import rules

from accounts.rules import is_admin, is_internal_staff

# -- outputs (issue 5)
can_export_campaign = is_internal_staff
can_view_coverage = is_internal_staff
can_manage_letter_template = is_admin

rules.add_perm("campaign.export_campaign", can_export_campaign)
rules.add_perm("campaign.view_coverage", can_view_coverage)
rules.add_perm("campaign.manage_letter_template", can_manage_letter_template)


@rules.predicate
def is_filiere_editor(user, filiere):
    """The filière's lead or one of its co-editors."""
    if filiere is None or not user.is_authenticated:
        return False
    return filiere.id in user.filiere_ids


can_invite_editor = is_filiere_editor

rules.add_perm("campaign.invite_editor", can_invite_editor)
