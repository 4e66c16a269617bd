"""Assigning reviewers and declaring conflicts of interest.

Conflict of interest, decided rule: declaring one is final (only an
administrator can delete it in the Django admin) and
- removes the reviewer's assignment to the dossier;
- discards their review in progress (a draft has no value once the reviewer
  is known to be conflicted);
- keeps a review already submitted, for the audit trail, but marks it
  "écartée" (excluded_at): it is shown to the ARS as such and no longer
  counts in the aggregate or the ranking.
A conflicted reviewer can then be neither assigned nor review that dossier."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.display import user_name
from accounts.models import Role, User
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.prepared import prepared
from common.text import clean_text
from dossiers.enums import DossierState as S
from dossiers.models import Dossier
from scoring.domain import notifications
from scoring.models import ConflictOfInterest, Review, ReviewerAssignment
from scoring.rules import can_assign_reviewers, can_declare_conflict, is_reviewer

# A dossier can be given to reviewers from its submission until the decision.
ASSIGNABLE_STATES = frozenset({S.SUBMITTED, S.CARESP_REVIEW, S.ARS_ANALYSIS, S.RETURNED})
REVIEWER_ROLES = (Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR)


def lock_dossier(dossier):
    """The dossier row, locked until the end of the transaction (staff may not see drafts)."""

    locked = (
        Dossier.objects.select_for_update()
        .select_related("campaign", "filiere")
        .filter(pk=dossier.pk)
        .first()
    )
    if locked is None or locked.state == S.DRAFT:
        raise NotFound(_("Dossier introuvable."))
    return locked


def eligible_reviewers(dossier, *, excluded_ids=None):
    """Active CARESP reviewers and ARS instructors of the dossier's region, not yet
    assigned and without a conflict. `excluded_ids`: the users already assigned to the
    dossier or who declared a conflict on it, when the caller has loaded every one of
    them (then excluded from the list rather than by two subqueries)."""
    users = User.objects.filter(
        is_active=True,
        role_grants__role__in=REVIEWER_ROLES,
        role_grants__region_id=dossier.region_id,
    )
    if excluded_ids is None:
        users = users.exclude(review_assignments__dossier=dossier).exclude(
            declared_conflicts__dossier=dossier
        )
    users = users.distinct().order_by("last_name", "first_name", "username")
    if excluded_ids is None:
        return users
    return [user for user in users if user.pk not in excluded_ids]


def eligible_reviewer_choices(dossier, excluded_ids):
    """[(user id, label)] of eligible_reviewers(dossier, excluded_ids=…), in its order,
    labelled as scoring.forms.reviewer_label labels them: the assignment form's choices
    read as plain values (one prepared read of the region's reviewers)."""
    return [
        (pk, f"{user_name(first, last, username)} ({username})")
        for pk, first, last, username in _region_reviewer_rows(dossier.region_id)
        if pk not in excluded_ids
    ]


@prepared
def _region_reviewer_rows(region_id):
    return (
        User.objects.filter(
            is_active=True, role_grants__role__in=REVIEWER_ROLES, role_grants__region_id=region_id
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
        .values_list("id", "first_name", "last_name", "username")
    )


def has_conflict(dossier, user):
    return ConflictOfInterest.objects.filter(dossier_id=dossier.pk, reviewer_id=user.pk).exists()


def is_assigned(dossier, user):
    return ReviewerAssignment.objects.filter(dossier_id=dossier.pk, reviewer_id=user.pk).exists()


def assign_reviewer(dossier, actor, reviewer):
    """ARS instructor gives `reviewer` (a User) the dossier to score."""

    if not can_assign_reviewers.test(actor, dossier):
        raise Forbidden(_("Seul un instructeur ARS peut attribuer un dossier à un relecteur."))
    if reviewer is None:
        raise InvalidInput(
            _("Relecteur inconnu."),
            {"username": [_("Aucun utilisateur ne porte cet identifiant.")]},
        )
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if locked.state not in ASSIGNABLE_STATES:
            raise Conflict(
                _("Le dossier est « %(state)s » : il ne peut plus être attribué à un relecteur.")
                % {"state": locked.get_state_display()}
            )
        if not reviewer.is_active or not is_reviewer.test(reviewer, locked):
            raise InvalidInput(
                _("%(user)s ne peut pas évaluer de dossier.") % {"user": reviewer},
                {
                    "username": [
                        _("Seul un relecteur CARESP ou un instructeur ARS actif peut être désigné.")
                    ]
                },
            )
        if locked.filiere_id in reviewer.filiere_ids:
            raise Conflict(
                _(
                    "%(user)s rédige ce dossier pour sa filière : il ne peut pas l'évaluer "
                    "(conflit d'intérêts)."
                )
                % {"user": reviewer}
            )
        if has_conflict(locked, reviewer):
            raise Conflict(
                _(
                    "%(user)s a déclaré un conflit d'intérêts sur ce dossier : "
                    "il ne peut pas lui être attribué."
                )
                % {"user": reviewer}
            )
        assignment, created = ReviewerAssignment.objects.get_or_create(
            dossier=locked, reviewer=reviewer, defaults={"assigned_by": actor}
        )
        if not created:
            raise Conflict(_("Le dossier est déjà attribué à %(user)s.") % {"user": reviewer})
        transaction.on_commit(lambda: notifications.notify_assignment(assignment.pk))
    return assignment


def unassign_reviewer(dossier, actor, reviewer):
    """ARS instructor withdraws an assignment; refused once the review is submitted."""
    if not can_assign_reviewers.test(actor, dossier):
        raise Forbidden(_("Seul un instructeur ARS peut retirer une attribution."))
    with transaction.atomic():
        locked = lock_dossier(dossier)
        assignment = ReviewerAssignment.objects.filter(dossier=locked, reviewer=reviewer).first()
        if assignment is None:
            raise NotFound(_("Ce relecteur n'est pas attribué à ce dossier."))
        review = Review.objects.filter(dossier=locked, reviewer=reviewer).first()
        if review is not None and review.is_submitted:
            raise Conflict(
                _(
                    "%(user)s a déjà soumis son évaluation : l'attribution ne peut plus être "
                    "retirée."
                )
                % {"user": reviewer}
            )
        if review is not None:
            review.delete()
        assignment.delete()


def declare_conflict(dossier, user, reason, *, now=None):
    """A reviewer declares a conflict of interest on a dossier (see the module docstring)."""

    if not can_declare_conflict.test(user, dossier):
        raise Forbidden(
            _(
                "Seuls les relecteurs CARESP et les instructeurs ARS déclarent des conflits "
                "d'intérêts."
            )
        )
    reason = clean_text(reason).strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(
            _("Indiquez le motif du conflit d'intérêts."),
            {"reason": [_("Ce champ est obligatoire.")]},
        )
    if len(reason) > 5000:
        raise InvalidInput(
            _("Le motif est trop long."), {"reason": [_("Au plus 5000 caractères.")]}
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_dossier(dossier)
        if has_conflict(locked, user):
            raise Conflict(_("Vous avez déjà déclaré un conflit d'intérêts sur ce dossier."))
        conflict = ConflictOfInterest.objects.create(
            dossier=locked, reviewer=user, reason=reason, at=now
        )
        ReviewerAssignment.objects.filter(dossier=locked, reviewer=user).delete()
        review = Review.objects.filter(dossier=locked, reviewer=user).first()
        if review is not None and not review.is_submitted:
            review.delete()
        elif review is not None and review.excluded_at is None:
            review.excluded_at = now
            review.save(update_fields=["excluded_at"])
        transaction.on_commit(lambda: notifications.notify_conflict(conflict.pk))
    return conflict
