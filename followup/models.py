import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.triggers import append_only
from dossiers.models import AppendOnlyModel
from followup.enums import EDITABLE_STATES, ReportKind, ReportState
from followup.workflow import ReportWorkflow

PARIS = ZoneInfo("Europe/Paris")


class Report(ReportWorkflow):
    """One yearly report of a follow-up campaign: a recognised filière's report, or the
    region's CAR'sp survey. Its answers are one JSON document (`content`) whose shape is
    the report type's (followup.domain.types), validated by followup.domain.content; the
    use of funds is rows (FundingUse), because money is summed by the database."""

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.PROTECT, related_name="reports"
    )
    region = models.ForeignKey("campaign.Region", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(
        _("type de rapport"), max_length=16, choices=ReportKind.choices, default=ReportKind.FILIERE
    )
    filiere = models.ForeignKey(
        "campaign.Filiere",
        on_delete=models.PROTECT,
        related_name="reports",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(
        default=1,
        help_text=_("Incrémentée à chaque modification : détecte les éditions concurrentes."),
    )
    content = models.JSONField(_("réponses"), default=dict, blank=True)
    # Where the first answers came from: {"indicators": "report:12" | "dossier:5" | ""}.
    prefilled_from = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(_("remis le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepté le"), null=True, blank=True)
    return_message = models.TextField(_("demande de compléments"), blank=True)
    return_due_date = models.DateField(_("à compléter avant le"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rapport annuel")
        verbose_name_plural = _("rapports annuels")
        ordering = ["campaign", "kind", "filiere__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "filiere"],
                condition=models.Q(filiere__isnull=False),
                name="one_report_per_filiere_and_campaign",
            ),
            models.UniqueConstraint(
                fields=["campaign", "kind"],
                condition=models.Q(filiere__isnull=True),
                name="one_survey_per_campaign",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self):
        return f"{self.title} ({self.get_state_display()})"

    @property
    def title(self):
        if self.kind == ReportKind.CARSP:
            return _("Enquête CAR'sp — %(region)s") % {"region": self.region.name}
        return self.filiere.name if self.filiere_id else str(self.get_kind_display())

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def year(self):
        return self.campaign.year

    def deadline(self):
        """The deadline that applies to this report: the campaign's, or the filière's
        extension (campaign.DeadlineExtension), Paris time."""
        return self.campaign.deadline_for(self.filiere)

    def is_open(self, now=None):
        """May be submitted: the campaign is published and its (extended) deadline has
        not passed (the last second included)."""
        return self.campaign.is_open_for(self.filiere, now=now)

    @property
    def completion_due_at(self):
        if self.return_due_date is None:
            return None
        return dt.datetime.combine(self.return_due_date, dt.time(23, 59, 59), tzinfo=PARIS)

    def completion_overdue(self, now=None):
        due = self.completion_due_at
        if self.state != ReportState.RETURNED or due is None:
            return False
        return (now or timezone.now()) >= due + dt.timedelta(seconds=1)

    def is_late(self, now=None, deadline=None):
        """Not remitted while its deadline (extension included) has passed, or returned
        and past its due date."""
        now = now or timezone.now()
        if self.state == ReportState.DRAFT:
            deadline = deadline or self.deadline()
            return now >= deadline.replace(microsecond=0) + dt.timedelta(seconds=1)
        return self.completion_overdue(now)


class FundingUse(models.Model):
    """The use of one funding line granted to the filière: spent and ETP filled in the
    year. The line (label, nature, granted) is read from the decision."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="funding")
    line = models.ForeignKey(
        "dossiers.FundingLine", on_delete=models.PROTECT, related_name="followup_uses"
    )
    spent = models.DecimalField(
        _("montant dépensé"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    etp_filled = models.DecimalField(
        _("ETP pourvus"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("utilisation des crédits")
        verbose_name_plural = _("utilisations des crédits")
        ordering = ["report", "line__project__priority", "line__project_id", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "line"], name="one_use_per_line_and_report"),
            models.CheckConstraint(
                condition=models.Q(spent__isnull=True) | models.Q(spent__gte=0),
                name="funding_use_spent_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.report_id} — {self.line_id}"


def attachment_path(instance, filename):
    return f"report_attachments/{instance.report_id}/{uuid.uuid4().hex}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    section = models.CharField(_("partie"), max_length=32)
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pièce jointe d'un rapport")
        verbose_name_plural = _("pièces jointes des rapports")
        ordering = ["report", "section", "uploaded_at"]

    def __str__(self):
        return self.name


class ReportSnapshot(AppendOnlyModel):
    """Exactly what was remitted, each time it was remitted."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveIntegerField()
    transition = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("rapport remis (instantané)")
        verbose_name_plural = _("rapports remis (instantanés)")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="unique_report_snapshot_number"
            )
        ]
        triggers = [append_only()]


class ReportHistory(AppendOnlyModel):
    """One state change of a report: who, when, from, to, why."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="history")
    transition = models.CharField(max_length=32)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("historique d'un rapport")
        verbose_name_plural = _("historique des rapports")
        ordering = ["report", "at", "id"]
        triggers = [append_only()]
