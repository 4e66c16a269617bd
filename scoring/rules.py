"""Who may do what in the review of dossiers.

Role predicates only: what depends on the dossier (assignment, conflict of
interest, own review submitted, state) is checked by scoring.domain with a
query, under a row lock where it matters."""

import rules

from accounts.rules import (
    is_admin,
    is_ars,
    is_ars_instructor,
    is_caresp_reviewer,
    is_internal_staff,
    is_region_admin,
)

# Who can be assigned a dossier and score it.
is_reviewer = is_caresp_reviewer | is_ars_instructor

can_use_workspace = is_internal_staff
can_assign_reviewers = is_ars_instructor
can_declare_conflict = is_reviewer
can_view_grid = is_internal_staff | is_region_admin
# The campaign's set-up: the national administrator or the region's (decision 0040).
can_edit_grid = is_admin | is_region_admin
# ARS roles see every review and the aggregate of every dossier; a reviewer
# only after submitting their own review of that dossier (see domain).
can_view_all_reviews = is_ars
can_view_ranking = is_internal_staff
can_comment_internally = is_internal_staff
can_read_ars_only_comments = is_ars

rules.add_perm("scoring.use_workspace", can_use_workspace)
rules.add_perm("scoring.assign_reviewer", can_assign_reviewers)
rules.add_perm("scoring.declare_conflict", can_declare_conflict)
rules.add_perm("scoring.view_grid", can_view_grid)
rules.add_perm("scoring.change_grid", can_edit_grid)
rules.add_perm("scoring.view_all_reviews", can_view_all_reviews)
rules.add_perm("scoring.view_ranking", can_view_ranking)
rules.add_perm("scoring.comment_internally", can_comment_internally)
rules.add_perm("scoring.read_ars_only_comments", can_read_ars_only_comments)
