"""Who may produce the documents that leave the ARS (exports, letters, coverage,
printable dossiers).

"staff" in api.md = internal staff (CARESP reviewers and ARS roles): they read
every submitted dossier, so they may export them. Letter templates are
configured by administrators. A lead reads its own decided dossier's letter
(see outputs.domain.letters.letter_for) and prints its own dossier."""

import rules

from accounts.rules import is_admin, is_internal_staff

can_export_campaign = is_internal_staff
can_view_coverage = is_internal_staff
can_manage_letter_template = is_admin

rules.add_perm("outputs.export_campaign", can_export_campaign)
rules.add_perm("outputs.view_coverage", can_view_coverage)
rules.add_perm("outputs.manage_letter_template", can_manage_letter_template)
