"""Review and scoring of dossiers.

Thin models: every rule (who may assign, score, see what; the grid lock;
conflicts of interest) lives in scoring.domain and scoring.rules."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.enums import Opinion


class CriterionGroup(models.TextChoices):
    ANALYSIS_BASIS = "analysis_basis", _("Base d'analyse")
    GUIDING_PRINCIPLE = "guiding_principle", _("Principe directeur")


class Grid(models.Model):
    """The scoring grid of one campaign: one integer scale shared by all its criteria."""

    campaign = models.OneToOneField(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="scoring_grid"
    )
    scale_min = models.PositiveSmallIntegerField(_("note minimale"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("note maximale"), default=4)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("grille d'évaluation")
        verbose_name_plural = _("grilles d'évaluation")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")),
                name="grid_scale_min_below_max",
            )
        ]

    def __str__(self):
        return _("Grille — %(campaign)s") % {"campaign": self.campaign}


class Criterion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=64)
    label = models.CharField(_("libellé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(
        _("famille"),
        max_length=32,
        choices=CriterionGroup.choices,
        default=CriterionGroup.ANALYSIS_BASIS,
    )
    weight = models.DecimalField(_("coefficient"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        ordering = ["grid", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="unique_criterion_code"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_gt_0"),
        ]

    def __str__(self):
        return self.label


class ReviewerAssignment(models.Model):
    """An ARS instructor asked this reviewer to score this dossier."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("attribué le"), default=timezone.now)

    class Meta:
        verbose_name = _("attribution à un relecteur")
        verbose_name_plural = _("attributions aux relecteurs")
        ordering = ["dossier", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "reviewer"], name="unique_assignment")
        ]

    def __str__(self):
        return f"{self.dossier_id} → {self.reviewer}"


class ConflictOfInterest(models.Model):
    """Declared by a reviewer: they may then neither be assigned nor review the dossier."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="conflicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="declared_conflicts"
    )
    reason = models.TextField(_("motif"))
    at = models.DateTimeField(_("déclaré le"), default=timezone.now)

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        ordering = ["dossier", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "reviewer"], name="unique_conflict")
        ]

    def __str__(self):
        return f"{self.dossier_id} ✕ {self.reviewer}"


class Review(models.Model):
    """One reviewer's scored review of one dossier: a draft until submitted, then read-only."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    # The capacity in which the reviewer scored (CARESP or ARS), fixed at creation.
    reviewer_role = models.CharField(max_length=32, blank=True)
    opinion = models.CharField(_("avis global"), max_length=16, choices=Opinion.choices, blank=True)
    comment = models.TextField(_("commentaire général"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    # A conflict declared after submission: the review is kept but no longer counts.
    excluded_at = models.DateTimeField(_("écartée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["dossier", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "reviewer"], name="one_review_per_reviewer")
        ]
        indexes = [models.Index(fields=["dossier", "submitted_at"])]

    def __str__(self):
        return f"{self.dossier_id} — {self.reviewer}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def counts(self):
        return self.submitted_at is not None and self.excluded_at is None


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.SmallIntegerField(_("note"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("note par critère")
        verbose_name_plural = _("notes par critère")
        ordering = ["review", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="unique_criterion_score")
        ]

    def __str__(self):
        return f"{self.criterion.code} = {self.score}"


class ProjectOpinion(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="project_opinions")
    # Kept (with its title) if the applicant later deletes the project sheet.
    project = models.ForeignKey(
        "dossiers.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_opinions",
    )
    project_title = models.CharField(max_length=300, blank=True)
    opinion = models.CharField(_("avis"), max_length=16, choices=Opinion.choices, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("avis sur une fiche projet")
        verbose_name_plural = _("avis sur les fiches projet")
        ordering = ["review", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "project"], name="unique_project_opinion")
        ]

    def __str__(self):
        return f"{self.project_title} : {self.opinion}"


class InternalComment(models.Model):
    """A note between staff about a dossier: never shown to the applicant."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="internal_comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("commentaire"))
    # ARS-only notes are hidden from CARESP reviewers.
    ars_only = models.BooleanField(_("réservé à l'ARS"), default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commentaire interne")
        verbose_name_plural = _("commentaires internes")
        ordering = ["dossier", "at", "id"]

    def __str__(self):
        return f"{self.dossier_id} — {self.author}"


class ReviewScoreSums(models.Model):
    """What a review's criterion scores add up to: Σ(weight × score) and Σ(weight) over
    its scored criteria, both in hundredths (weights have two decimals), so that the
    reviewer's weighted score is points / weights, exact; no row for a review without
    any score.

    Kept by database triggers on the scores and the criteria' weights (migration 0002,
    decision 0060), on SQLite and PostgreSQL alike, as dossiers.DossierTotals: every write
    of a score refreshes its review's row in the same transaction. The code only reads it:
    the ranking reads one row per review instead of joining every criterion score of the
    campaign."""

    review = models.OneToOneField(
        Review,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    points = models.BigIntegerField()
    weights = models.BigIntegerField()

    class Meta:
        verbose_name = _("sommes des notes d'une évaluation")
        verbose_name_plural = _("sommes des notes des évaluations")

    def __str__(self):
        return f"{self.review_id}: {self.points} / {self.weights}"
