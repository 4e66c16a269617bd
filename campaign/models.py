import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin
from django_fsm import transition as fsm_transition

from campaign.enums import CampaignAction, CampaignKind, CampaignState
from common.triggers import append_only

APPEAL_MENTION = (
    "Voies et délais de recours : la présente décision peut faire l'objet, dans un délai de "
    "deux mois à compter de sa notification, d'un recours gracieux auprès du directeur "
    "général de l'agence régionale de santé ou d'un recours contentieux devant le "
    "{court}, qui peut aussi être saisi par l'application « Télérecours "
    "citoyens » (www.telerecours.fr). Le recours gracieux prolonge le délai du recours "
    "contentieux, qui court alors à compter de la réponse de l'administration ; le silence "
    "gardé pendant deux mois vaut décision de rejet."
)


def default_appeal_mention():
    # Kept for migration 0004, which names it; new campaigns use Region.appeal_mention.
    return APPEAL_MENTION.format(court="tribunal administratif de Rennes")


class Region(models.Model):
    """A region and its agency (ARS): the staff's roles, the filières, the reference
    territories and the appeal court belong to it. Reference data
    (campaign/data/regions.json), completed by each ARS in the admin."""

    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    agency_name = models.CharField(_("agence régionale de santé"), max_length=200, blank=True)
    appeal_court = models.CharField(
        _("tribunal administratif"),
        max_length=200,
        blank=True,
        help_text=_("Celui du siège de l'ARS, par exemple « tribunal administratif de Rennes »."),
    )
    seat_city = models.CharField(
        _("ville du siège"),
        max_length=100,
        blank=True,
        help_text=_("Lieu de signature des courriers, par exemple « Rennes »."),
    )
    address = models.TextField(
        _("adresse postale de l'agence"),
        blank=True,
        help_text=_("En-tête des courriers, une ligne par ligne d'adresse."),
    )
    director_title = models.CharField(
        _("directeur ou directrice générale"),
        max_length=100,
        default="le directeur général",
        help_text=_(
            "« la directrice générale » ou « le directeur général » : les courriers signés par "
            "délégation portent « Pour la directrice générale et par délégation »."
        ),
    )
    notification_emails = models.JSONField(
        _("adresses de l'ARS prévenues des dépôts"),
        default=list,
        blank=True,
        help_text=_("Boîtes aux lettres de l'ARS informées des dépôts, redépôts et retraits."),
    )

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def region_id(self):
        """A region is its own region (permission predicates ask any object for one)."""
        return self.pk

    def appeal_mention(self):
        court = self.appeal_court or "tribunal administratif territorialement compétent"
        text = APPEAL_MENTION.format(court=court)
        if (self.director_title or "").strip().lower().startswith("la "):
            # The gracious appeal goes to the directrice générale where one heads the ARS.
            text = text.replace("auprès du directeur général", "auprès de la directrice générale")
        return text

    @property
    def slug(self):
        """The region's name in an address (« bretagne », « provence-alpes-cote-d-azur »)."""
        return slugify(self.name.replace("'", "-"))


class CoordinationCell(models.Model):
    """The region's palliative-care coordination cell (CAR'sp; in Bretagne the CARESP):
    reference data from the national directory of June 2024 (campaign/data/carsp.json),
    completed by the region's ARS."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="coordination_cell", verbose_name=_("région")
    )
    acronym = models.CharField(_("sigle"), max_length=60)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    carrier = models.CharField(_("structure porteuse"), max_length=300, blank=True)
    founded = models.CharField(_("création"), max_length=100, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    emails = models.JSONField(_("adresses électroniques"), default=list, blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    contacts = models.JSONField(
        _("contacts"),
        default=list,
        blank=True,
        help_text=_("Personnes à contacter : [{name, role, email, phone}]."),
    )
    offer = models.JSONField(
        _("offre régionale"),
        default=dict,
        blank=True,
        help_text=_("Nombre de structures par type (USP, LISP, EMSP, HAD, ERRSPP, DAC…)."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cellule régionale de soins palliatifs")
        verbose_name_plural = _("cellules régionales de soins palliatifs")
        ordering = ["region__name"]

    def __str__(self):
        return f"{self.acronym} — {self.region}"


def letter_template_path(instance, filename):
    # Stored under MEDIA_ROOT, never served by URL; the name never comes from the user.
    return f"letter_templates/{instance.pk or 'new'}/{uuid.uuid4().hex}.docx"


class Campaign(FSMModelMixin, models.Model):
    """One call for applications of one region (e.g. Bretagne 2025)."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("région")
    )
    # The health territories the call covers (reference data of the region) and the
    # filières that take part in it.
    territories = models.ManyToManyField(
        "Territory", related_name="campaigns", blank=True, verbose_name=_("territoires")
    )
    filieres = models.ManyToManyField(
        "Filiere", related_name="campaigns", blank=True, verbose_name=_("filières participantes")
    )
    kind = models.CharField(
        _("nature"), max_length=16, choices=CampaignKind.choices, default=CampaignKind.CALL
    )
    # A follow-up campaign's year (the activity reported on).
    year = models.PositiveSmallIntegerField(_("année suivie"), null=True, blank=True)
    state = FSMField(
        _("état"),
        max_length=16,
        choices=CampaignState.choices,
        default=CampaignState.DRAFT,
        # Changed only by campaign.domain.lifecycle (publish, close), with its history.
        protected=True,
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    results_published_at = models.DateTimeField(
        _("résultats publiés le"),
        null=True,
        blank=True,
        help_text=_("Vide : les résultats ne figurent pas sur la page publique de l'appel."),
    )
    opens_at = models.DateTimeField(_("ouverture"))
    deadline = models.DateTimeField(
        _("date limite de dépôt"),
        help_text=_("Dernière seconde acceptée (heure de Paris)."),
    )
    decision_date = models.DateField(_("date de décision"), null=True, blank=True)
    first_delegation_date = models.DateField(_("première délégation prévue"), null=True, blank=True)
    # Decision letters (outputs).
    signatory_name = models.CharField(_("nom du signataire"), max_length=200, blank=True)
    signatory_title = models.CharField(
        _("qualité du signataire"),
        max_length=200,
        blank=True,
        default="Directeur général de l'agence régionale de santé",
    )
    appeal_court = models.CharField(
        _("tribunal administratif"),
        max_length=200,
        blank=True,
        help_text=_("Vide : celui de la région."),
    )
    appeal_mention = models.TextField(
        _("voies et délais de recours"),
        blank=True,
        help_text=_("Vide : la mention de la région, avec son tribunal administratif."),
    )
    # « Affaire suivie par » of the letters: the ARS service and person to contact.
    contact_service = models.CharField(
        _("direction ou service de l'ARS"),
        max_length=200,
        blank=True,
        help_text=_("En-tête des courriers, par exemple « Direction de l'offre de soins »."),
    )
    contact_name = models.CharField(_("affaire suivie par"), max_length=200, blank=True)
    contact_email = models.EmailField(_("courriel de la personne à contacter"), blank=True)
    contact_phone = models.CharField(
        _("téléphone de la personne à contacter"), max_length=40, blank=True
    )
    report_due_date = models.DateField(
        _("date du premier rapport annuel"),
        null=True,
        blank=True,
        help_text=_(
            "Vide : le 30 avril de l'année qui suit la décision. Les rapports suivants sont "
            "dus chaque année à la même date."
        ),
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
        """Submission allowed while the call is published, from its opening up to and
        including the last second of the deadline (the filière's own)."""
        if self.state != CampaignState.PUBLISHED:
            return False
        now = now or timezone.now()
        limit = self.deadline_for(filiere).replace(microsecond=0) + dt.timedelta(seconds=1)
        return self.opens_at <= now < limit

    @property
    def is_open(self):
        return self.is_open_for(None)

    def first_report_date(self, decided_on=None):
        """When the recognised filières' first yearly report is due: the campaign's date,
        else 30 April of the year after the decision."""
        if self.report_due_date:
            return self.report_due_date
        decided_on = decided_on or self.decision_date or timezone.localdate()
        return dt.date(decided_on.year + 1, 4, 30)

    def appeal_text(self):
        """The appeal mention of the letters: the campaign's own text, or the standard
        one naming the campaign's court (else its region's)."""
        if self.appeal_mention:
            return self.appeal_mention
        if self.appeal_court:
            return APPEAL_MENTION.format(court=self.appeal_court)
        return self.region.appeal_mention()

    @property
    def is_followup(self):
        return self.kind == CampaignKind.FOLLOWUP

    @property
    def is_draft(self):
        return self.state == CampaignState.DRAFT

    @property
    def is_public(self):
        """Published or closed: applicants and the public page know of it."""
        return self.state != CampaignState.DRAFT

    @property
    def results_public(self):
        return self.state == CampaignState.CLOSED and self.results_published_at is not None

    # The arrows; campaign.domain.lifecycle fires them (checks, history, e-mails).
    @fsm_transition(field=state, source=CampaignState.DRAFT, target=CampaignState.PUBLISHED)
    def publish(self):
        self.published_at = timezone.now()

    @fsm_transition(field=state, source=CampaignState.PUBLISHED, target=CampaignState.CLOSED)
    def close(self):
        self.closed_at = timezone.now()


class CampaignEvent(models.Model):
    """The campaign's append-only history: creation, publication, every change of its
    calendar after publication (old and new values, reason), territories, filières,
    closing and results. Written by the domain functions only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=32, choices=CampaignAction.choices)
    changes = models.JSONField(
        _("changements"), default=dict, blank=True, help_text=_("{champ: [avant, après]}")
    )
    reason = models.TextField(_("motif"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("événement de campagne")
        verbose_name_plural = _("historique des campagnes")
        ordering = ["campaign", "at", "id"]
        triggers = [append_only()]

    def __str__(self):
        return f"{self.campaign} — {self.get_action_display()} ({self.at:%d/%m/%Y %H:%M})"


def campaign_document_path(instance, filename):
    # Stored under MEDIA_ROOT, never served by URL; the name never comes from the user.
    return f"campaign_documents/{instance.campaign_id}/{uuid.uuid4().hex}"


class CampaignDocument(models.Model):
    """A document of the call the ARS publishes for the applicants (the call's
    specifications, the regional diagnostic…): uploaded and removed by the region's
    instructors, downloaded by anyone who may see the campaign."""

    class Kind(models.TextChoices):
        SPECIFICATIONS = "specifications", _("Cahier des charges")
        REGIONAL_DIAGNOSTIC = "regional_diagnostic", _("Diagnostic régional")
        OTHER = "other", _("Autre document")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("nature"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(upload_to=campaign_document_path)
    name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        verbose_name = _("document de la campagne")
        verbose_name_plural = _("documents de la campagne")
        ordering = ["campaign", "kind", "uploaded_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def region_id(self):
        return self.campaign.region_id

    @property
    def extension(self):
        """« PDF », « DOCX »… (the stored name always ends with its type's extension)."""
        return self.name.rsplit(".", 1)[-1].upper() if "." in self.name else ""


class Territory(models.Model):
    """A health territory of a region (reference data; a campaign covers some of them)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="territories")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("nom"), max_length=200)
    departements = models.JSONField(_("départements"), default=list)

    class Meta:
        verbose_name = _("territoire de santé")
        verbose_name_plural = _("territoires de santé")
        ordering = ["region", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="unique_territory_code_per_region"
            )
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Filiere(models.Model):
    """A territorial palliative-care network of a region: a lasting body that applies to
    calls (Campaign.filieres), is recognised or not, then reports every year; its leads
    and its history follow it from campaign to campaign."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="filieres")
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
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "slug"], name="unique_filiere_slug_per_region"
            )
        ]

    def __str__(self):
        return self.name


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


class Invitation(models.Model):
    """An invitation to take a role (a filière's co-editor, a filière's lead, a staff
    role in a region) that the invitee accepts (campaign.domain.invitations): nothing
    is granted before, and the inviter learns nothing of the invitee's account.

    Only the SHA-256 of the link's token is stored. Status: pending (neither accepted,
    cancelled nor expired), accepted, cancelled, expired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        CANCELLED = "cancelled", _("annulée")
        EXPIRED = "expired", _("expirée")

    email = models.EmailField(_("adresse invitée"), max_length=254)
    role = models.CharField(_("rôle"), max_length=32)
    filiere = models.ForeignKey(
        Filiere,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("filière"),
    )
    # The filière's region for a filière's role; the role's region for a staff role;
    # empty for a national role.
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("région"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("dernier envoi"), default=timezone.now)
    send_count = models.PositiveSmallIntegerField(_("envois"), default=1)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acceptée par"),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "role"], name="invitation_lookup")]

    def __str__(self):
        return f"{self.email} — {self.role} ({self.get_status_display()})"

    def status_at(self, now=None):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.cancelled_at:
            return self.Status.CANCELLED
        if (now or timezone.now()) >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self):
        return self.status_at()

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class LeadNomination(models.Model):
    """A filière's lead named by the ARS when it sets up a campaign (one by one or by
    the spreadsheet import): invited by e-mail when the campaign is published (at once
    if it already is), so that nothing of a call in preparation reaches anyone."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="lead_nominations"
    )
    filiere = models.ForeignKey(Filiere, on_delete=models.CASCADE, related_name="lead_nominations")
    email = models.EmailField(_("adresse électronique"), max_length=254)
    name = models.CharField(_("nom et prénom"), max_length=150, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("désigné le"), default=timezone.now)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    # The pending invitation sent (campaign.domain.invitations): accepted, expired…
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("porteur désigné")
        verbose_name_plural = _("porteurs désignés")
        ordering = ["filiere__name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "filiere", "email"], name="unique_lead_nomination"
            )
        ]

    def __str__(self):
        return f"{self.name or self.email} — {self.filiere}"
