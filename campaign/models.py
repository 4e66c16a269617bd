import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnvelopeKind(models.TextChoices):
    RECURRING = "recurring", _("Crédits reconductibles")
    ONE_OFF = "one_off", _("Crédits ponctuels non reconductibles")


class Campaign(models.Model):
    """One call for applications of one region (e.g. Bretagne 2025)."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    region = models.CharField(_("région"), max_length=100)
    opens_at = models.DateTimeField(_("ouverture"))
    deadline = models.DateTimeField(
        _("date limite de dépôt"),
        help_text=_("Dernière seconde acceptée (heure de Paris)."),
    )
    decision_date = models.DateField(_("date de décision"), null=True, blank=True)
    first_delegation_date = models.DateField(_("première délégation prévue"), null=True, blank=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-opens_at"]

    def __str__(self):
        return self.name

    def deadline_for(self, filiere):
        """The deadline that applies to this filière: its latest extension, if later."""
        extension = (
            self.extensions.filter(filiere=filiere).order_by("-until").first()
            if filiere is not None
            else None
        )
        if extension and extension.until > self.deadline:
            return extension.until
        return self.deadline

    def is_open_for(self, filiere, now=None):
        """Submission allowed up to and including the last second of the deadline."""
        now = now or timezone.now()
        limit = self.deadline_for(filiere).replace(microsecond=0) + dt.timedelta(seconds=1)
        return self.opens_at <= now < limit

    @property
    def is_open(self):
        return self.is_open_for(None)


class Territory(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="territories")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=200)
    departements = models.JSONField(_("départements"), default=list)

    class Meta:
        verbose_name = _("territoire de santé")
        verbose_name_plural = _("territoires de santé")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="unique_territory_code")
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Filiere(models.Model):
    """A territorial palliative-care network applying to one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="filieres")
    slug = models.SlugField(_("identifiant"), max_length=80)
    name = models.CharField(_("nom"), max_length=200)
    territories = models.ManyToManyField(Territory, related_name="filieres", blank=True)
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="filieres",
        blank=True,
        verbose_name=_("porteurs et co-rédacteurs"),
    )

    class Meta:
        verbose_name = _("filière")
        verbose_name_plural = _("filières")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="unique_filiere_slug")
        ]

    def __str__(self):
        return self.name


class Envelope(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="envelopes")
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

    def __str__(self):
        return f"{self.envelope} : {self.new_amount} € ({self.date})"


class DeadlineExtension(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions")
    filiere = models.ForeignKey(Filiere, on_delete=models.CASCADE, related_name="extensions")
    until = models.DateTimeField(_("nouvelle date limite"))
    reason = models.TextField(_("motif"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("prolongation du délai")
        verbose_name_plural = _("prolongations du délai")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filiere} jusqu'au {self.until:%d/%m/%Y}"


class DelegationInstrument(models.TextChoices):
    FIR_ARRETE = "fir_arrete", _("Arrêté FIR")
    CPOM_AMENDMENT = "cpom_amendment", _("Avenant au CPOM")
    CONVENTION = "convention", _("Convention")


class Delegation(models.Model):
    """Credits actually delegated against a granted funding line (design brief §5).

    Written once by campaign.domain.budget.record_delegation, which keeps the
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

    class Meta:
        verbose_name = _("délégation de crédits")
        verbose_name_plural = _("délégations de crédits")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="delegation_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.amount} € le {self.date:%d/%m/%Y} ({self.get_instrument_display()})"


class ReminderLog(models.Model):
    """A reminder e-mail sent to a filière's editors: the audit trail of the reminder job,
    and how it knows a filière without a dossier was already reminded."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Rappel avant la date limite de dépôt")

    filiere = models.ForeignKey(Filiere, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("nature"), max_length=32, choices=Kind.choices)
    deadline = models.DateTimeField(_("date limite rappelée"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    recipients = models.PositiveIntegerField(_("nombre de destinataires"), default=0)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["filiere", "kind", "sent_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.filiere} ({self.sent_at:%d/%m/%Y %H:%M})"
