import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.triggers import append_only, final_once, kept_once
from dossiers.enums import (
    EDITABLE_STATES,
    DossierState,
    LineCategory,
    LineNature,
    Opinion,
    Outcome,
    Section,
)
from dossiers.workflow import DossierWorkflow

PARIS = ZoneInfo("Europe/Paris")


class Dossier(DossierWorkflow):
    """One filière's application to one campaign.

    The identity sheet, diagnostic and SWOT are stored as validated JSON
    documents (see dossiers.domain.parts): they are read and replaced whole.
    Project sheets and funding lines are rows, because money is summed and
    decided line by line."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="dossiers"
    )
    filiere = models.ForeignKey(
        "campaign.Filiere", on_delete=models.PROTECT, related_name="dossiers"
    )
    outcome = models.CharField(
        _("issue de la décision"), max_length=32, choices=Outcome.choices, blank=True
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text=_("Incrémentée à chaque modification : détecte les éditions concurrentes."),
    )
    identity = models.JSONField(_("fiche d'identité"), default=dict, blank=True)
    diagnostic = models.JSONField(_("diagnostic territorial"), default=dict, blank=True)
    swot = models.JSONField(_("AFOM"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    # Set by return_for_completion, cleared by resubmit.
    returned_from = models.CharField(max_length=32, blank=True)
    return_message = models.TextField(_("demande de compléments"), blank=True)
    return_due_date = models.DateField(_("à compléter avant le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decision_comment = models.TextField(_("motivation de la décision"), blank=True)
    # The point of the call: the decision recognises the filière for the dossier's
    # territories, from the decision date, with or without new funds. None until decided.
    recognised = models.BooleanField(_("filière reconnue"), null=True, blank=True)
    # The ARS instructor's proposal (budget.domain.proposals): two instructors saving the
    # same proposal do not overwrite each other (409 on a stale version).
    proposal_version = models.PositiveIntegerField(default=0)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["campaign", "filiere__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "filiere"], name="one_dossier_per_filiere_and_campaign"
            )
        ]
        # A campaign's dossiers by state with their filière and decision date, read from
        # the index alone: a dossier's row carries its whole document (several KB), and the
        # lists, dashboards, rankings and budget summary of a national campaign only need
        # these columns.
        indexes = [
            models.Index(
                fields=["campaign", "state", "filiere", "decided_at"],
                name="dossier_campaign_state_idx",
            )
        ]
        # A decision is final: on PostgreSQL the database refuses to change or delete it.
        triggers = [
            final_once(
                name="decision_is_final",
                when=pgtrigger.Q(old__state=DossierState.DECIDED.value),
                fields=["state", "outcome", "decided_at", "decision_comment", "recognised"],
            ),
            kept_once(
                name="decided_dossier_kept",
                when=pgtrigger.Q(old__state=DossierState.DECIDED.value),
            ),
        ]

    def __str__(self):
        return f"{self.filiere.name} ({self.get_state_display()})"

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def completion_due_at(self):
        """The last second to answer a completion request: the due date's end of day,
        Europe/Paris (None without a due date)."""
        if self.return_due_date is None:
            return None
        return dt.datetime.combine(self.return_due_date, dt.time(23, 59, 59), tzinfo=PARIS)

    def completion_overdue(self, now=None):
        """Returned for completion, and its due date has passed: neither edited nor
        resubmitted until the ARS extends it (dossiers.domain.due_dates)."""
        due = self.completion_due_at
        if self.state != DossierState.RETURNED or due is None:
            return False
        return (now or timezone.now()) >= due + dt.timedelta(seconds=1)

    @property
    def display_name(self):
        return self.identity.get("name") or self.filiere.name

    @property
    def region_id(self):
        """The dossier's region (its campaign's): where a staff role must be held."""
        return self.campaign.region_id


class Project(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="projects")
    priority = models.PositiveIntegerField(_("rang de priorité"), null=True, blank=True)
    title = models.CharField(_("intitulé"), max_length=300, blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    start = models.DateField(_("début"), null=True, blank=True)
    end = models.DateField(_("fin"), null=True, blank=True)
    pilot = models.CharField(_("structure pilote"), max_length=300, blank=True)
    partners = models.TextField(_("partenaires"), blank=True)
    indicators = models.TextField(_("indicateurs"), blank=True)
    swot_items = models.JSONField(_("éléments AFOM liés"), default=list, blank=True)
    missions = models.JSONField(_("missions liées"), default=list, blank=True)
    proposal_opinion = models.CharField(
        _("avis ARS sur la fiche"), max_length=16, choices=Opinion.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("fiche projet")
        verbose_name_plural = _("fiches projet")
        ordering = ["dossier", "priority", "id"]

    def __str__(self):
        return self.title or _("Fiche projet sans titre")


class FundingLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(_("libellé"), max_length=300, blank=True)
    nature = models.CharField(
        _("nature"), max_length=16, choices=LineNature.choices, default=LineNature.RECURRING
    )
    category = models.CharField(
        _("catégorie"), max_length=16, choices=LineCategory.choices, default=LineCategory.STAFF
    )
    etp = models.DecimalField(_("ETP"), max_digits=6, decimal_places=2, null=True, blank=True)
    staff_profile = models.CharField(_("profil du poste"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("montant demandé (année pleine)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    first_year = models.PositiveSmallIntegerField(_("première année"), null=True, blank=True)
    beneficiary_finess = models.CharField(_("FINESS bénéficiaire"), max_length=9, blank=True)
    # Instruction and decision (issue 4): never shown to the lead before the decision.
    proposed = models.DecimalField(
        _("montant proposé"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    proposal_opinion = models.CharField(
        _("avis"), max_length=16, choices=Opinion.choices, blank=True
    )
    granted = models.DecimalField(
        _("montant accordé"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    start_month = models.DateField(
        _("mois de démarrage"), null=True, blank=True, help_text=_("Premier jour du mois.")
    )
    grant_justification = models.TextField(_("justification d'un montant supérieur"), blank=True)
    # Two editors changing the same line: the second gets a 409 (dossiers.domain.editing).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("ligne de financement")
        verbose_name_plural = _("lignes de financement")
        ordering = ["project", "id"]
        # Covers the sums over lines (the DossierTotals triggers' refresh of a dossier,
        # the per-sheet and per-page sums): read from the index alone, not the table.
        indexes = [
            models.Index(
                fields=["project", "nature", "amount", "proposed", "granted"],
                name="line_sums_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="line_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(granted__isnull=True) | models.Q(granted__gte=0),
                name="line_granted_not_negative",
            ),
        ]
        # The granted amount is written once, by the decision (budget.domain.decisions).
        triggers = [
            final_once(
                name="grant_is_final",
                when=pgtrigger.Q(old__granted__isnull=False),
                fields=["granted", "start_month", "grant_justification"],
            ),
            kept_once(name="granted_line_kept", when=pgtrigger.Q(old__granted__isnull=False)),
        ]

    def __str__(self):
        return self.label or _("Ligne sans libellé")


class DossierTotals(models.Model):
    """What a dossier's funding lines add up to, per field and nature (NULL: no line of
    that nature, or none filled in); no row for a dossier without lines.

    Kept by database triggers on the lines (migration 0007, decision 0056), on SQLite
    and PostgreSQL alike: every write of a line — the domain, an import, a bulk insert,
    an update in the shell — refreshes its dossier's row in the same transaction. The
    code only reads it: the lists, the budget and the envelopes sum a few hundred of
    these rows instead of the campaign's tens of thousands of lines."""

    dossier = models.OneToOneField(
        Dossier,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    amount_recurring = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    amount_one_off = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    proposed_recurring = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    proposed_one_off = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    granted_recurring = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    granted_one_off = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("totaux d'un dossier")
        verbose_name_plural = _("totaux des dossiers")

    def __str__(self):
        return _("Totaux du dossier n° %(id)s") % {"id": self.dossier_id}


class DossierName(models.Model):
    """The name in a dossier's identity (`identity -> name`, as KT("identity__name") reads
    it; NULL when there is none), one row per dossier.

    Kept by database triggers on the dossiers (migration 0009, decision 0060): every
    insert of a dossier and every write of its identity, whatever makes it. The code only
    reads it: lists of hundreds of dossiers (the ranking, the instruction dashboard) read
    this narrow table instead of every dossier's wide row and its identity's JSON."""

    dossier = models.OneToOneField(
        Dossier,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="stored_name",
    )
    name = models.TextField(null=True)

    class Meta:
        verbose_name = _("nom d'un dossier")
        verbose_name_plural = _("noms des dossiers")

    def __str__(self):
        return f"{self.dossier_id}: {self.name}"


def attachment_path(instance, filename):
    # The stored name never comes from the user: no path tricks, no clashes.
    return f"attachments/{instance.dossier_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    section = models.CharField(_("partie"), max_length=16, choices=Section.choices)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Removed after a submission: kept for the snapshots that list it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["dossier", "section", "uploaded_at"]

    def __str__(self):
        return self.name


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} est en ajout seul.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} est en ajout seul.")


class AppendOnlyModel(models.Model):
    """Rows are written once: no update, no delete (audit trail)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} est en ajout seul.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} est en ajout seul.")


class Snapshot(AppendOnlyModel):
    """Exactly what was submitted, each time it was submitted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveIntegerField()
    transition = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("instantané déposé")
        verbose_name_plural = _("instantanés déposés")
        ordering = ["dossier", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="unique_snapshot_number")
        ]
        triggers = [append_only()]

    def __str__(self):
        return f"{self.dossier_id} — dépôt n° {self.number}"


class HistoryEntry(AppendOnlyModel):
    """One state change of a dossier: who, when, from, to, why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="history")
    transition = models.CharField(max_length=32)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    # Public entries are shown to the applicant; internal ones only to staff.
    is_public = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("historique")
        verbose_name_plural = _("historique")
        ordering = ["dossier", "at", "id"]
        triggers = [append_only()]

    def __str__(self):
        return f"{self.dossier_id} : {self.from_state} → {self.to_state}"
