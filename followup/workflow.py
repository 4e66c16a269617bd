"""A yearly report's lifecycle: draft → submitted → accepted, or submitted → returned →
submitted (docs/decisions/0015). The arrows are django-fsm transitions with their role
permission (followup.rules) and their deadline condition; they are fired only by
followup.domain.transitions.transition(), which locks the row, checks, writes the
history and the snapshot. The arrows' description is the dossier's (TransitionSpec)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField
from django_fsm import transition as fsm_transition

from dossiers.workflow import TransitionSpec
from followup.enums import ReportState as S
from followup.rules import TRANSITION_PERMISSIONS


def permission(name):
    def check(report, user):
        return TRANSITION_PERMISSIONS[name].test(user, report)

    return check


def _deadline_open(report):
    return report.is_open(getattr(report, "transition_now", None))


TRANSITIONS = {
    spec.name: spec
    for spec in [
        TransitionSpec("submit", gettext_lazy("Remettre le rapport")),
        TransitionSpec(
            "return_for_completion",
            gettext_lazy("Demander des compléments"),
            needs_comment=True,
            needs_due_date=True,
        ),
        TransitionSpec("resubmit", gettext_lazy("Remettre le rapport complété")),
        TransitionSpec("accept", gettext_lazy("Accepter le rapport")),
    ]
}


class ReportWorkflow(ConcurrentTransitionMixin, models.Model):
    state = FSMField(
        gettext_lazy("état"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True
    )

    class Meta:
        abstract = True

    def _now(self):
        return getattr(self, "transition_now", None) or timezone.now()

    @fsm_transition(
        field=state,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=permission("submit"),
        conditions=[_deadline_open],
    )
    def submit(self):
        self.submitted_at = self._now()

    @fsm_transition(
        field=state,
        source=S.SUBMITTED,
        target=S.RETURNED,
        permission=permission("return_for_completion"),
    )
    def return_for_completion(self, message, due_date):
        self.return_message = message
        self.return_due_date = due_date

    @fsm_transition(
        field=state,
        source=S.RETURNED,
        target=S.SUBMITTED,
        permission=permission("resubmit"),
    )
    def resubmit(self):
        self.submitted_at = self._now()

    @fsm_transition(
        field=state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        permission=permission("accept"),
    )
    def accept(self):
        self.accepted_at = self._now()
