"""Who may see and move money.

Registered at start-up by rules' autodiscovery (rules.apps.AutodiscoverRulesConfig)."""

import rules

from accounts.rules import is_admin, is_ars, is_ars_decider, is_ars_instructor, is_region_admin

# The dashboard, the envelopes' history, the delegations list: ARS staff only
# (not the CARESP, not the filières: amounts of other dossiers are ARS business).
can_view_budget = is_ars
# Proposed amounts and opinions: the ARS instructor.
can_propose = is_ars_instructor
# The decision and the granted amounts: the ARS decider only.
can_decide = is_ars_decider
# Credits delegated against granted lines: the ARS decider (api.md).
can_record_delegation = is_ars_decider
# Raising or lowering an envelope: the administrators (campaign set-up, national or of
# the region) or the ARS decider (who commits the money); never the instructor.
can_amend_envelope = is_admin | is_region_admin | is_ars_decider

for name, predicate in {
    "budget.view_budget": can_view_budget,
    "budget.propose": can_propose,
    "budget.decide": can_decide,
    "budget.record_delegation": can_record_delegation,
    "budget.amend_envelope": can_amend_envelope,
}.items():
    rules.set_perm(name, predicate)
