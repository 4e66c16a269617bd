import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnvelopeKind(models.TextChoices):
    RECURRING = "recurring", _("Crédits reconductibles")
    ONE_OFF = "one_off", _("Crédits ponctuels non reconductibles")


DEFAULT_APPEAL_MENTION = (
    "Voies et délais de recours : la présente décision peut faire l'objet, dans un délai de "
    "deux mois à compter de sa notification, d'un recours gracieux auprès du directeur "
    "général de l'agence régionale de santé ou d'un recours contentieux devant le tribunal "
    "administratif de Rennes, qui peut aussi être saisi par l'application « Télérecours "
    "citoyens » (www.telerecours.fr). Le recours gracieux prolonge le délai du recours "
    "contentieux, qui court alors à compter de la réponse de l'administration ; le silence "
    "gardé pendant deux mois vaut décision de rejet."
)


def default_appeal_mention():
    return DEFAULT_APPEAL_MENTION


def letter_template_path(instance, filename):
    # Stored under MEDIA_ROOT, never served by URL; the name never comes from the user.
    return f"letter_templates/{instance.pk or 'new'}/{uuid.uuid4().hex}.docx"


def output_file_path(instance, filename):
    return f"outputs/{instance.campaign_id}/{uuid.uuid4().hex}/{filename}"


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
    # Decision letters (outputs, design brief §7).
    signatory_name = models.CharField(_("nom du signataire"), max_length=200, blank=True)
    signatory_title = models.CharField(
        _("qualité du signataire"),
        max_length=200,
        blank=True,
        default="Directeur général de l'agence régionale de santé",
    )
    appeal_mention = models.TextField(
        _("voies et délais de recours"), default=default_appeal_mention
    )
    letter_template = models.FileField(
        _("modèle de courrier (.docx)"),
        upload_to=letter_template_path,
        blank=True,
        help_text=_("Vide : le modèle par défaut est utilisé."),
    )

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

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="output_jobs")
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
