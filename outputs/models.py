"""Files produced for the ARS: background generations and their progress."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def output_file_path(instance, filename):
    return f"outputs/{instance.campaign_id}/{uuid.uuid4().hex}/{filename}"


class OutputJob(models.Model):
    """A background generation (decisions export, letters ZIP) and its progress."""

    class Kind(models.TextChoices):
        LETTERS_ZIP = "letters_zip", _("Courriers de décision (ZIP)")
        DECISIONS_XLSX = "decisions_xlsx", _("Export des décisions (XLSX)")
        DECISIONS_ODS = "decisions_ods", _("Export des décisions (ODS)")
        DECISIONS_CSV = "decisions_csv", _("Export des décisions (CSV)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="output_jobs"
    )
    kind = models.CharField(_("nature"), max_length=32, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    done = models.PositiveIntegerField(_("étapes faites"), default=0)
    total = models.PositiveIntegerField(_("étapes prévues"), default=0)
    file = models.FileField(upload_to=output_file_path, blank=True)
    filename = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # Written by the worker while it runs the job (outputs.domain.generation): a running
    # job whose heartbeat stopped lost its worker and is queued again
    # (outputs.domain.maintenance.requeue_stale_jobs).
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)

    class Meta:
        verbose_name = _("génération de fichier")
        verbose_name_plural = _("générations de fichiers")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "kind", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.campaign} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))
