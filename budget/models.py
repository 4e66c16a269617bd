"""The money of a campaign: envelopes and their amendments, credits delegated
against granted funding lines (design: docs/architecture.md, budget)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budget.enums import DelegationInstrument, EnvelopeKind
from common.triggers import append_only


class Envelope(models.Model):
    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="envelopes"
    )
    kind = models.CharField(_("nature"), max_length=16, choices=EnvelopeKind.choices)
    amount = models.DecimalField(_("montant"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("enveloppe")
        verbose_name_plural = _("enveloppes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="unique_envelope_kind"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="envelope_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.campaign}"


class EnvelopeAmendment(models.Model):
    """Append-only record of every change of an envelope's amount."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="amendments")
    date = models.DateField(_("date"))
    previous_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    new_amount = models.DecimalField(_("nouveau montant"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("motif"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("avenant d'enveloppe")
        verbose_name_plural = _("avenants d'enveloppe")
        ordering = ["envelope", "created_at"]
        triggers = [append_only()]

    def __str__(self):
        return f"{self.envelope} : {self.new_amount} € ({self.date})"


class Delegation(models.Model):
    """Credits actually delegated against a granted funding line.

    Written once by budget.domain.delegations.record_delegation, which keeps the
    cumulated amount of a line at or below what was granted."""

    line = models.ForeignKey(
        "dossiers.FundingLine",
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("ligne de financement"),
    )
    date = models.DateField(_("date de délégation"))
    amount = models.DecimalField(_("montant délégué"), max_digits=14, decimal_places=2)
    instrument = models.CharField(
        _("support juridique"), max_length=32, choices=DelegationInstrument.choices
    )
    beneficiary_finess = models.CharField(_("FINESS du bénéficiaire"), max_length=9)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The campaign of the line's dossier, written by a database trigger on insert
    # (migration 0005, decision 0059) whatever writes the row: the campaign's
    # delegations are read by index, in date order, instead of walking its decided
    # dossiers' lines. Never set by the code.
    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # delegation_campaign_date_idx starts with it
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("délégation de crédits")
        verbose_name_plural = _("délégations de crédits")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["campaign", "date", "id"], name="delegation_campaign_date_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="delegation_amount_gt_0"),
        ]
        triggers = [append_only()]

    def __str__(self):
        return f"{self.amount} € le {self.date:%d/%m/%Y} ({self.get_instrument_display()})"


class GrantedCommitment(models.Model):
    """What a dossier's granted lines cost, per nature and start year: the sum of their
    full-year amounts (`granted`) and of their cost in their start year (`first_year`:
    a recurring line granted G from month m costs G × (13 − m) / 12, rounded to the
    cent half up line by line, as budget.queries.first_year_cost does; a one-off line,
    or a recurring one without start month, its amount). `start_year` is NULL for lines
    without start month (the reader takes the decision's year). Only lines granted more
    than 0; no row for a dossier without any.

    Kept by database triggers on the funding lines (migration 0004, decision 0058), on
    SQLite and PostgreSQL alike, whatever writes the lines, as dossiers.DossierTotals
    (decision 0056). The code only reads it: the budget's per-year commitments sum a
    campaign's few hundred rows instead of its thousands of granted lines."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    nature = models.CharField(max_length=16)
    start_year = models.PositiveSmallIntegerField(null=True)
    first_year = models.DecimalField(max_digits=16, decimal_places=2)
    granted = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("engagement accordé d'un dossier")
        verbose_name_plural = _("engagements accordés des dossiers")

    def __str__(self):
        return _("Engagements du dossier n° %(id)s") % {"id": self.dossier_id}


class DelegatedAmount(models.Model):
    """What was delegated on a dossier's lines of one nature in one year (`amount`), and
    the first date of these delegations (`first_date`).

    Kept by database triggers on the delegations and on the lines' nature and sheet
    (migration 0004, decision 0058), as GrantedCommitment. The code only reads it: the
    budget's summary sums a campaign's few hundred rows instead of walking its thousands
    of granted lines to their delegations."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    nature = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    first_date = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("montant délégué d'un dossier")
        verbose_name_plural = _("montants délégués des dossiers")

    def __str__(self):
        return _("Délégations du dossier n° %(id)s") % {"id": self.dossier_id}
