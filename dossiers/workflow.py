"""The dossier lifecycle: its states and arrows (docs/architecture.md, "Workflow").

Each arrow is a django-fsm transition on DossierWorkflow, the mixin of the Dossier
model, with its role permission (dossiers.rules.TRANSITION_PERMISSIONS) and its
conditions. Arrows are fired only by dossiers.domain.transitions.transition(), which
locks the row, checks, writes the history and the snapshot and notifies."""

from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField
from django_fsm import transition as fsm_transition

from dossiers.enums import DossierState as S
from dossiers.rules import TRANSITION_PERMISSIONS


def permission(name):
    def check(dossier, user):
        return TRANSITION_PERMISSIONS[name].test(user, dossier)

    return check


def _deadline_open(dossier):
    # transition() sets transition_now so that the whole check uses one instant.
    return dossier.campaign.is_open_for(
        dossier.filiere, now=getattr(dossier, "transition_now", None)
    )


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    needs_comment: bool = False
    needs_due_date: bool = False
    is_public: bool = True


TRANSITIONS = {
    spec.name: spec
    for spec in [
        TransitionSpec("submit", gettext_lazy("Déposer le dossier")),
        # Internal steps: their comment is for staff only (history entry not public).
        TransitionSpec(
            "start_caresp_review", gettext_lazy("Passer en revue CARESP"), is_public=False
        ),
        TransitionSpec(
            "start_ars_analysis", gettext_lazy("Passer en analyse ARS"), is_public=False
        ),
        TransitionSpec(
            "return_for_completion",
            gettext_lazy("Demander des compléments"),
            needs_comment=True,
            needs_due_date=True,
        ),
        TransitionSpec("resubmit", gettext_lazy("Redéposer le dossier complété")),
        TransitionSpec("withdraw", gettext_lazy("Retirer le dossier")),
        TransitionSpec("decide", gettext_lazy("Enregistrer la décision")),
    ]
}
# `decide` is fired by the decision domain function (amounts first), never directly.
DIRECT_TRANSITIONS = frozenset(TRANSITIONS) - {"decide"}


class DossierWorkflow(ConcurrentTransitionMixin, models.Model):
    state = FSMField(
        gettext_lazy("état"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True
    )

    class Meta:
        abstract = True

    @fsm_transition(
        field=state,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=permission("submit"),
        conditions=[_deadline_open],
    )
    def submit(self):
        self.submitted_at = getattr(self, "transition_now", None) or timezone.now()

    @fsm_transition(
        field=state,
        source=S.SUBMITTED,
        target=S.CARESP_REVIEW,
        permission=permission("start_caresp_review"),
    )
    def start_caresp_review(self):
        pass

    @fsm_transition(
        field=state,
        source=[S.SUBMITTED, S.CARESP_REVIEW],
        target=S.ARS_ANALYSIS,
        permission=permission("start_ars_analysis"),
    )
    def start_ars_analysis(self):
        pass

    @fsm_transition(
        field=state,
        source=[S.CARESP_REVIEW, S.ARS_ANALYSIS],
        target=S.RETURNED,
        permission=permission("return_for_completion"),
    )
    def return_for_completion(self, message, due_date):
        self.returned_from = self.state
        self.return_message = message
        self.return_due_date = due_date

    @fsm_transition(
        field=state,
        source=S.RETURNED,
        target=RETURN_VALUE(S.CARESP_REVIEW, S.ARS_ANALYSIS),
        permission=permission("resubmit"),
    )
    def resubmit(self):
        target = self.returned_from or S.CARESP_REVIEW
        self.returned_from = ""
        return target

    @fsm_transition(
        field=state,
        source=[S.SUBMITTED, S.CARESP_REVIEW, S.ARS_ANALYSIS, S.RETURNED],
        target=S.WITHDRAWN,
        permission=permission("withdraw"),
    )
    def withdraw(self):
        pass

    @fsm_transition(
        field=state,
        source=S.ARS_ANALYSIS,
        target=S.DECIDED,
        permission=permission("decide"),
    )
    def decide(self, outcome, comment, recognised):
        self.outcome = outcome
        self.recognised = recognised
        self.decision_comment = comment
        self.decided_at = getattr(self, "transition_now", None) or timezone.now()
