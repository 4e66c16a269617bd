"""The report types: each is a form defined once — sections, fields, labels, validation
and completeness rules — read by the validation (followup.domain.content), the
completeness check, the pages (one step per section), the diff and the exports
(docs/decisions/0015).

A field's `key` is its dotted path in the report's JSON document. Kinds:
count (whole number ≥ 0), decimal (ETP, two decimals), bool, text, line (one line),
choice, multi (several choices), month (AAAA-MM), email, url, counts_by (a count per
choice: {choice: int}), rows (a bounded list of objects with their own fields),
missions (the 13 missions' coverage, as in the dossier)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.limits import MAX_ORGANISATIONS, TEXT_MAX
from dossiers.enums import MemberType, Mission, MissionStatus
from followup.enums import OrganisationScope, ReportKind


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"
    required: bool = True
    choices: tuple = ()
    max_length: int = TEXT_MAX
    fields: tuple = ()  # rows: the fields of one row (keys relative to the row)
    max_rows: int = 0  # rows: at most this many (and as many slots in the form)
    required_if: tuple = ()  # (other key, value): required only when it holds
    help: str = ""
    # Headline indicators: consolidated (sum) and charted.
    total: bool = False

    @property
    def name(self):
        """The form field's name."""
        return self.key.replace(".", "__")

    def choice_label(self, value):
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    fields: tuple = ()
    intro: str = ""
    attachments: bool = False  # files may be attached to this section


@dataclass(frozen=True)
class ReportType:
    kind: str
    label: str
    sections: tuple
    # The filière's report has a use-of-funds step (FundingUse rows) after its sections.
    has_funding: bool = False
    content_name: str = "indicators"  # the document's name in the API

    def section(self, key):
        for section in self.sections:
            if section.key == key:
                return section
        return None

    @property
    def fields(self):
        return [f for section in self.sections for f in section.fields]

    def field(self, key):
        for item in self.fields:
            if item.key == key:
                return item
        return None

    @property
    def step_keys(self):
        keys = [section.key for section in self.sections]
        return [*keys, "funding"] if self.has_funding else keys


def _choices(enum):
    return tuple((value, label) for value, label in enum.choices)


YES_NO_PENDING = (("yes", _("Oui")), ("no", _("Non")), ("in_progress", _("En cours")))
MISSION_STATUSES = _choices(MissionStatus)
MEMBER_TYPES = _choices(MemberType)
OFFER_FIELDS = [
    ("usp_beds", _("Lits d'unités de soins palliatifs (USP)")),
    ("lisp_beds", _("Lits identifiés de soins palliatifs (LISP)")),
    ("hdj_places", _("Places d'hôpital de jour « médecine palliative »")),
    ("emsp_count", _("Équipes mobiles de soins palliatifs (EMSP)")),
    ("had_count", _("Structures d'hospitalisation à domicile (HAD)")),
]
PARTNERSHIP_FIELDS = [
    ("ehpad", _("EHPAD")),
    ("essms", _("Autres établissements et services sociaux et médico-sociaux")),
    ("volunteers", _("Associations de bénévoles d'accompagnement")),
    ("respite", _("Plateformes de répit")),
    ("cpts", _("CPTS")),
    ("msp", _("Maisons de santé pluriprofessionnelles (MSP)")),
    ("health_centres", _("Centres de santé")),
    ("other", _("Autres partenaires")),
]

FILIERE_REPORT = ReportType(
    kind=ReportKind.FILIERE,
    label=_("Rapport annuel d'activité de la filière"),
    has_funding=True,
    sections=(
        Section(
            "governance",
            _("Gouvernance et formalisation"),
            intro=_(
                "Indicateurs de l'instruction du 21 juin 2023 (annexe, §3) : réunions de "
                "l'instance de gouvernance et formalisation de la filière. La charte ou la "
                "convention signée et les comptes rendus se joignent à cette étape."
            ),
            attachments=True,
            fields=(
                Field(
                    "governance_meetings",
                    _("Réunions de l'instance de gouvernance dans l'année"),
                    "count",
                    total=True,
                ),
                Field(
                    "formalisation.territory_defined", _("Territoire de la filière défini"), "bool"
                ),
                Field(
                    "formalisation.needs_inventory_updated",
                    _("État des lieux des besoins et attentes mis à jour"),
                    "bool",
                ),
                Field(
                    "formalisation.charter_signed",
                    _("Charte ou convention de la filière signée"),
                    "bool",
                ),
                Field(
                    "formalisation.notes",
                    _("Précisions sur la formalisation"),
                    "text",
                    required=False,
                ),
            ),
        ),
        Section(
            "actors",
            _("Acteurs de la filière"),
            intro=_(
                "Recensement des membres de la filière par type de structure, à la fin de l'année."
            ),
            fields=(
                Field(
                    "actors", _("Membres par type de structure"), "counts_by", choices=MEMBER_TYPES
                ),
            ),
        ),
        Section(
            "offer",
            _("Offre et postes vacants"),
            intro=_(
                "Évolution de la couverture territoriale ; postes vacants dans les structures de soins palliatifs."
            ),
            fields=(
                *(Field(f"offer.{key}", label, "count", total=True) for key, label in OFFER_FIELDS),
                Field(
                    "vacancies.medical_etp",
                    _("Postes médicaux vacants (ETP)"),
                    "decimal",
                    total=True,
                ),
                Field(
                    "vacancies.paramedical_etp",
                    _("Postes paramédicaux vacants (ETP)"),
                    "decimal",
                    total=True,
                ),
            ),
        ),
        Section(
            "partnerships",
            _("Partenariats et organisations"),
            intro=_(
                "Partenariats formalisés (conventions) et organisations qui améliorent "
                "l'accès, l'introduction précoce et la gradation des soins palliatifs. Les "
                "conventions se joignent à cette étape."
            ),
            attachments=True,
            fields=(
                *(
                    Field(f"partnerships.{key}", label, "count", total=True)
                    for key, label in PARTNERSHIP_FIELDS
                ),
                Field(
                    "organisations",
                    _("Organisations à évaluer et diffuser"),
                    "rows",
                    required=False,
                    max_rows=MAX_ORGANISATIONS,
                    fields=(
                        Field("title", _("Intitulé"), "line"),
                        Field("description", _("Description"), "text"),
                        Field(
                            "scope",
                            _("Périmètre"),
                            "choice",
                            choices=_choices(OrganisationScope),
                        ),
                    ),
                ),
            ),
        ),
        Section(
            "missions",
            _("Missions de la filière"),
            intro=_("Couverture des 13 missions de l'instruction, comme dans le dossier."),
            fields=(Field("missions", _("Couverture des missions"), "missions"),),
        ),
    ),
)

# --- The CAR'sp activity survey (seed 000, DGOS note of 7 February 2025) ----------------

LEGAL_FORMS = (
    ("hospital", _("Rattachement à un établissement de santé")),
    ("gcs", _("Portage par un GCS")),
    ("association", _("Portage par une association")),
)
HOSPITAL_STATUSES = (
    ("public", _("Public")),
    ("private_for_profit", _("Privé lucratif")),
    ("private_non_profit", _("Privé non lucratif")),
)
TEAM_PROFILES = (
    ("palliative_diploma", _("Professionnel de santé titulaire d'un diplôme de soins palliatifs")),
    ("coordinator", _("Coordonnateur de la cellule")),
    ("project_officer", _("Chargé de conduite de projet")),
    ("team_manager", _("Manager d'équipe")),
    ("communication", _("Chargé de communication")),
    ("other", _("Autres")),
)
TRAINING_TOPICS = (
    ("palliative_practice", _("Pratiques en soins palliatifs, accompagnement de la fin de vie")),
    ("team_management", _("Management d'équipe")),
    ("project_management", _("Conduite de projet")),
    ("other", _("Autres")),
)
GOVERNANCE_ACTORS = (
    ("health", _("Sanitaire")),
    ("medico_social", _("Médico-social")),
    ("social", _("Social")),
    ("primary_care", _("Ville")),
    ("ars", _("ARS")),
    ("cpts", _("CPTS")),
    ("dac", _("DAC")),
    ("patients", _("Patients")),
    ("volunteers", _("Bénévoles d'accompagnement")),
    ("carers", _("Aidants")),
    ("local_authorities", _("Collectivités")),
    ("other", _("Autre")),
)
CONTACT_MEANS = (
    ("phone", _("Permanence téléphonique")),
    ("on_site", _("Accueil sur place")),
    ("messaging", _("Messagerie")),
    ("other", _("Autre")),
)
TEAMS_MET = (
    ("USP", "USP"),
    ("EMSP", "EMSP"),
    ("ERRSPP", "ERRSPP"),
    ("HAD", "HAD"),
    ("LISP", "LISP"),
    ("HDJ", "HDJ"),
    ("volunteers", _("Bénévoles d'accompagnement de la fin de vie")),
    ("other", _("Autres")),
)
AUDIENCES = (
    ("general_public", _("Grand public")),
    ("professionals", _("Professionnels")),
    ("other", _("Autres")),
)
TRAINING_MODES = (("on_site", _("Présentiel")), ("remote", _("Distanciel")), ("mixed", _("Mixte")))
CHANNELS = (
    ("website", _("Site internet")),
    ("leaflet", _("Flyer, brochure")),
    ("social_networks", _("Publications sur les réseaux sociaux")),
    ("video", _("Vidéo")),
    ("collaborative", _("Plateformes collaboratives")),
    ("newsletter", _("Newsletters, mailings")),
    ("other", _("Autres")),
)
INVENTORY_BY = (("ars", _("L'ARS seule")), ("ars_carsp", _("L'ARS et la CAR'sp en partenariat")))

CARSP_SURVEY = ReportType(
    kind=ReportKind.CARSP,
    label=_("Enquête d'activité de la CAR'sp (période 2023-2024)"),
    content_name="answers",
    sections=(
        Section(
            "identity",
            _("Création et portage"),
            intro=_("Niveau d'avancement, identité et statut juridique de la cellule."),
            fields=(
                Field(
                    "identity.created",
                    _("CAR'sp créée"),
                    "choice",
                    choices=(("yes", _("Oui")), ("in_progress", _("En cours"))),
                ),
                Field(
                    "identity.progress",
                    _("Si en cours de création, stade d'avancement"),
                    "text",
                    required_if=("identity.created", "in_progress"),
                ),
                Field("identity.name", _("Nom"), "line"),
                Field(
                    "identity.created_on",
                    _("Date de création (mois et année)"),
                    "month",
                    required_if=("identity.created", "yes"),
                ),
                Field(
                    "identity.legal_form",
                    _("Statut juridique, rattachement"),
                    "choice",
                    choices=LEGAL_FORMS,
                ),
                Field(
                    "identity.hospital_status",
                    _("Si établissement de santé : statut"),
                    "choice",
                    choices=HOSPITAL_STATUSES,
                    required_if=("identity.legal_form", "hospital"),
                ),
                Field(
                    "identity.gcs_partners",
                    _("Si portage GCS : partenaires"),
                    "text",
                    required_if=("identity.legal_form", "gcs"),
                ),
                Field(
                    "identity.association_carries_dac",
                    _("Si association : porte-t-elle aussi un DAC ?"),
                    "bool",
                    required_if=("identity.legal_form", "association"),
                ),
                Field("identity.host", _("Structure porteuse"), "line"),
            ),
        ),
        Section(
            "contact",
            _("Coordonnées et antennes"),
            intro=_("Pour l'annuaire des CAR'sp."),
            fields=(
                Field("contact.address", _("Adresse de la CAR'sp"), "text", max_length=500),
                Field("contact.phone", _("Téléphone"), "line", max_length=40),
                Field("contact.email", _("Adresse électronique"), "email"),
                Field("contact.website", _("Site internet"), "url", required=False),
                Field(
                    "contact.head_name", _("Responsable ou coordinateur : nom et prénom"), "line"
                ),
                Field("contact.head_phone", _("Responsable : téléphone"), "line", max_length=40),
                Field("contact.head_email", _("Responsable : adresse électronique"), "email"),
                Field("contact.has_antennas", _("Antennes territoriales créées"), "bool"),
                Field(
                    "contact.antennas",
                    _("Antennes (département et ville)"),
                    "rows",
                    max_rows=10,
                    required_if=("contact.has_antennas", True),
                    fields=(
                        Field("departement", _("Département"), "line", max_length=3),
                        Field("city", _("Ville"), "line"),
                    ),
                ),
            ),
        ),
        Section(
            "team",
            _("Composition de l'équipe"),
            intro=_(
                "Composition cible et atteinte à fin 2024 ; l'organigramme se joint à cette étape."
            ),
            attachments=True,
            fields=(
                Field("team.etp_target", _("ETP totaux cibles"), "decimal", total=True),
                Field("team.etp_filled", _("ETP totaux pourvus"), "decimal", total=True),
                Field("team.medical_etp_target", _("dont ETP médicaux cibles"), "decimal"),
                Field("team.medical_etp_filled", _("dont ETP médicaux pourvus"), "decimal"),
                Field(
                    "team.by_profession",
                    _("ETP par profession (cibles et pourvus)"),
                    "rows",
                    max_rows=10,
                    required=False,
                    fields=(
                        Field("profession", _("Profession"), "line"),
                        Field("etp_target", _("ETP cibles"), "decimal"),
                        Field("etp_filled", _("ETP pourvus"), "decimal"),
                    ),
                ),
                Field(
                    "team.profiles",
                    _("Profils des membres à fin 2024"),
                    "multi",
                    choices=TEAM_PROFILES,
                ),
                Field(
                    "team.profiles_other",
                    _("Autres profils : préciser"),
                    "line",
                    required_if=("team.profiles", "other"),
                ),
                Field(
                    "team.contacts",
                    _("Interlocuteurs (conduite de projet, management, coordination)"),
                    "rows",
                    max_rows=3,
                    fields=(
                        Field("name", _("Nom et prénom"), "line"),
                        Field("email", _("Adresse électronique"), "email"),
                    ),
                ),
                Field("team.training", _("Formations suivies par l'équipe en 2023-2024"), "bool"),
                Field(
                    "team.training_topics",
                    _("Thèmes des formations"),
                    "multi",
                    choices=TRAINING_TOPICS,
                    required_if=("team.training", True),
                ),
                Field(
                    "team.training_other",
                    _("Autres thèmes : préciser"),
                    "line",
                    required_if=("team.training_topics", "other"),
                ),
            ),
        ),
        Section(
            "governance",
            _("Instance de gouvernance"),
            intro=_(
                "L'instance de gouvernance de la filière ; la comitologie se joint à cette étape."
            ),
            attachments=True,
            fields=(
                Field("governance.constituted", _("Instance de gouvernance constituée"), "bool"),
                Field(
                    "governance.actors",
                    _("Acteurs représentés"),
                    "multi",
                    choices=GOVERNANCE_ACTORS,
                    required_if=("governance.constituted", True),
                ),
                Field(
                    "governance.actors_other",
                    _("Autre acteur : préciser"),
                    "line",
                    required_if=("governance.actors", "other"),
                ),
                Field(
                    "governance.meetings_2023", _("Réunions du COPIL en 2023"), "count", total=True
                ),
                Field(
                    "governance.meetings_2024", _("Réunions du COPIL en 2024"), "count", total=True
                ),
            ),
        ),
        Section(
            "diagnostic",
            _("Mission : diagnostics et lisibilité de l'offre"),
            intro=_(
                "Participer aux diagnostics territoriaux et à l'amélioration de la lisibilité "
                "de l'offre et de l'activité en soins palliatifs. L'état des lieux et les "
                "supports se joignent à cette étape."
            ),
            attachments=True,
            fields=(
                Field(
                    "diagnostic.inventory",
                    _("État des lieux des problématiques, besoins et attentes des acteurs"),
                    "choice",
                    choices=YES_NO_PENDING,
                ),
                Field(
                    "diagnostic.inventory_by",
                    _("État des lieux confié à"),
                    "choice",
                    choices=INVENTORY_BY,
                    required_if=("diagnostic.inventory", "yes"),
                ),
                Field(
                    "diagnostic.inventory_delivered",
                    _("Livraison (ou dernière actualisation)"),
                    "month",
                    required_if=("diagnostic.inventory", "yes"),
                ),
                Field(
                    "diagnostic.inventory_all_territories",
                    _("Dressé pour tous les territoires de la région"),
                    "bool",
                    required_if=("diagnostic.inventory", "yes"),
                ),
                Field(
                    "diagnostic.inventory_planned",
                    _("Si non ou en cours : livraison prévue"),
                    "month",
                    required=False,
                ),
                Field(
                    "diagnostic.inventory_link",
                    _("Lien de publication en ligne"),
                    "url",
                    required=False,
                ),
                Field(
                    "diagnostic.actions",
                    _("Actions réalisées (objectifs, productions, contributeurs)"),
                    "rows",
                    max_rows=5,
                    required=False,
                    fields=(
                        Field("title", _("Action"), "line"),
                        Field("description", _("Objectifs, productions, contributeurs"), "text"),
                    ),
                ),
                Field(
                    "diagnostic.orientation",
                    _("Informations utiles à l'orientation mises à disposition"),
                    "choice",
                    choices=YES_NO_PENDING,
                ),
                Field(
                    "diagnostic.orientation_support",
                    _("Type de support (annuaire, cartographie, fiche…)"),
                    "line",
                    required_if=("diagnostic.orientation", "yes"),
                ),
                Field(
                    "diagnostic.orientation_date",
                    _("Mise à disposition (ou dernière actualisation)"),
                    "month",
                    required_if=("diagnostic.orientation", "yes"),
                ),
                Field(
                    "diagnostic.orientation_links",
                    _("Liens de téléchargement"),
                    "text",
                    required=False,
                    max_length=2000,
                ),
            ),
        ),
        Section(
            "animation",
            _("Mission : animer les relations avec les acteurs"),
            intro=_("Mobiliser, fédérer et soutenir les acteurs de soins palliatifs."),
            attachments=True,
            fields=(
                Field(
                    "animation.contact_means",
                    _("Moyens de contact et d'accueil"),
                    "multi",
                    choices=CONTACT_MEANS,
                ),
                Field(
                    "animation.contact_other",
                    _("Autre moyen : préciser"),
                    "line",
                    required_if=("animation.contact_means", "other"),
                ),
                Field(
                    "animation.teams_met",
                    _("Équipes de la filière rencontrées"),
                    "multi",
                    choices=TEAMS_MET,
                ),
                Field(
                    "animation.teams_met_other",
                    _("Autres équipes : préciser"),
                    "line",
                    required_if=("animation.teams_met", "other"),
                ),
                Field(
                    "animation.all_teams_contacted",
                    _("Contact établi avec toutes les équipes recensées"),
                    "bool",
                ),
                Field(
                    "animation.ethics",
                    _("Acteurs avec lesquels un espace de réflexion éthique est établi"),
                    "text",
                    required=False,
                ),
                Field(
                    "animation.projects_support",
                    _("Accompagnement de projets de professionnels"),
                    "bool",
                ),
                Field(
                    "animation.projects",
                    _("Projets accompagnés (thématiques, objectifs)"),
                    "rows",
                    max_rows=5,
                    required_if=("animation.projects_support", True),
                    fields=(
                        Field("title", _("Projet"), "line"),
                        Field("objectives", _("Thématiques et objectifs"), "text"),
                    ),
                ),
                Field(
                    "animation.carsp_groups", _("Groupes de travail avec d'autres CAR'sp"), "bool"
                ),
                Field(
                    "animation.carsp_groups_detail",
                    _("CAR'sp associées"),
                    "line",
                    required_if=("animation.carsp_groups", True),
                ),
                Field(
                    "animation.vacancy_process",
                    _(
                        "Processus favorisant la rencontre des professionnels sur les postes à pourvoir"
                    ),
                    "choice",
                    choices=YES_NO_PENDING,
                ),
                Field(
                    "animation.vacant_posts_2023",
                    _("Postes vacants dans les équipes en 2023"),
                    "count",
                    total=True,
                ),
                Field(
                    "animation.vacant_posts_2024",
                    _("Postes vacants dans les équipes en 2024"),
                    "count",
                    total=True,
                ),
                Field("animation.filled_posts_2023", _("dont pourvus en 2023"), "count"),
                Field("animation.filled_posts_2024", _("dont pourvus en 2024"), "count"),
                Field("animation.fragile_teams", _("Équipes en fragilité identifiées"), "bool"),
                Field(
                    "animation.fragile_territories",
                    _("Territoires concernés"),
                    "text",
                    required_if=("animation.fragile_teams", True),
                ),
            ),
        ),
        Section(
            "culture",
            _("Missions : diffuser la culture palliative, informer"),
            intro=_(
                "Événements, formations et communication ; les programmes se joignent à cette étape."
            ),
            attachments=True,
            fields=(
                Field(
                    "culture.events_2023",
                    _("Événements organisés ou représentés en 2023"),
                    "count",
                    total=True,
                ),
                Field(
                    "culture.events_2024",
                    _("Événements organisés ou représentés en 2024"),
                    "count",
                    total=True,
                ),
                Field(
                    "culture.events",
                    _("Événements"),
                    "rows",
                    max_rows=5,
                    required=False,
                    fields=(
                        Field("title", _("Libellé"), "line"),
                        Field("participants", _("Participants"), "count"),
                        Field("audiences", _("Profils"), "multi", choices=AUDIENCES),
                        Field(
                            "professionals", _("Professionnels : préciser"), "line", required=False
                        ),
                    ),
                ),
                Field(
                    "culture.trainings_2023",
                    _("Sessions de formation soutenues ou dispensées en 2023"),
                    "count",
                    total=True,
                ),
                Field(
                    "culture.trainings_2024",
                    _("Sessions de formation soutenues ou dispensées en 2024"),
                    "count",
                    total=True,
                ),
                Field(
                    "culture.trainings",
                    _("Formations"),
                    "rows",
                    max_rows=5,
                    required=False,
                    fields=(
                        Field("title", _("Libellé"), "line"),
                        Field("audience", _("Public"), "line"),
                        Field("objectives", _("Objectifs"), "text"),
                        Field("mode", _("Modalités"), "choice", choices=TRAINING_MODES),
                        Field("participants", _("Participants"), "count"),
                        Field("renewed", _("Reconduction prévue en 2025"), "bool"),
                    ),
                ),
                Field(
                    "culture.channels",
                    _("Outils et canaux de communication"),
                    "multi",
                    choices=CHANNELS,
                ),
                Field(
                    "culture.channels_other",
                    _("Autres canaux : préciser"),
                    "line",
                    required_if=("culture.channels", "other"),
                ),
                Field(
                    "culture.newsletter_frequency",
                    _("Newsletter : périodicité"),
                    "line",
                    required_if=("culture.channels", "newsletter"),
                ),
                Field(
                    "culture.newsletter_subscribers",
                    _("Newsletter : abonnés à fin 2024"),
                    "count",
                    required_if=("culture.channels", "newsletter"),
                ),
                Field(
                    "culture.website_stats",
                    _("Site internet : statistiques de consultation"),
                    "text",
                    required=False,
                ),
            ),
        ),
        Section(
            "comments",
            _("Commentaires et pièces jointes"),
            intro=_(
                "Commentaires libres ; d'autres pièces jointes (organigramme, comitologie, supports)."
            ),
            attachments=True,
            fields=(Field("comments.text", _("Commentaires"), "text", required=False),),
        ),
    ),
)

TYPES = {FILIERE_REPORT.kind: FILIERE_REPORT, CARSP_SURVEY.kind: CARSP_SURVEY}
MISSION_CODES = tuple(Mission.values)


def report_type(kind):
    return TYPES[kind]


__all__ = [
    "CARSP_SURVEY",
    "FILIERE_REPORT",
    "Field",
    "ReportType",
    "Section",
    "TYPES",
    "report_type",
]
