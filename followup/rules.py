"""Who may do what with a yearly report. Lists use followup.domain.access.visible_reports,
which mirrors can_view_report as a single query.

A filière's report is written by the filière's editors and checked by the ARS of its
region; the CAR'sp survey is written by the ARS or by the CARESP on its behalf (seed 000)
and checked by the ARS."""

import rules

from accounts.rules import is_ars, is_ars_instructor, is_caresp_reviewer, is_internal_staff
from followup.enums import EDITABLE_STATES, ReportKind


@rules.predicate
def is_survey(user, report):
    return report is not None and report.kind == ReportKind.CARSP


@rules.predicate
def is_filiere_editor(user, report):
    """The filière's lead or one of its co-editors (a filière's report)."""
    if report is None or not user.is_authenticated or report.filiere_id is None:
        return False
    return report.filiere_id in user.filiere_ids


is_report_editor = is_filiere_editor | (is_survey & (is_ars | is_caresp_reviewer))


@rules.predicate
def is_editable_state(user, report):
    return report is not None and report.state in EDITABLE_STATES


@rules.predicate
def is_completion_overdue(user, report):
    return report is not None and report.completion_overdue()


can_view_report = is_filiere_editor | is_internal_staff
can_edit_report = is_report_editor & is_editable_state & ~is_completion_overdue
# Checking a filière's report is never done by one of its own editors (separation of
# duties, as for the dossier); the survey is the ARS's own answer, checked by the ARS.
can_check_report = is_ars_instructor & (is_survey | ~is_filiere_editor)

rules.add_perm("followup.view_report", can_view_report)
rules.add_perm("followup.change_report", can_edit_report)

TRANSITION_PERMISSIONS = {
    "submit": is_report_editor,
    "resubmit": is_report_editor,
    "accept": can_check_report,
    "return_for_completion": can_check_report,
}
