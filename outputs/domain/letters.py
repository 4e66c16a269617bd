"""Decision letters (.docx) rendered with docxtpl from a replaceable template.

The tags a template may use are listed in TAGS and PROJECT_TAGS: the upload page
shows them and `validate_template` refuses any other one. Every value is already
formatted the French way (amounts « 26 000,00 € », dates « 30 juin 2025 »).
Rendering uses jinja2.StrictUndefined (a letter never silently misses a value)
and autoescaping (a « & » in a name cannot break the document)."""

import functools
import io
import re
import threading
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db.models import DecimalField, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from docx import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.oxml import serialize_part_xml
from docx.opc.part import XmlPart
from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate, Listing
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from lxml import etree

from budget.queries import commitment_years, line_commitments
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.money import format_eur
from common.text import clean_line, clean_text, xml_safe, xml_safe_all
from common.typography import typographic
from dossiers.domain.access import get_visible_dossier
from dossiers.domain.parts import establishment_names
from dossiers.enums import DossierState, LineNature, Outcome
from dossiers.models import Dossier, FundingLine, HistoryEntry, Project
from outputs.domain import template_limits
from outputs.domain.coverage import departement_label
from outputs.domain.template_limits import GuardedSandbox, TemplateLimitExceeded
from outputs.rules import can_manage_letter_template

DEFAULT_TEMPLATE = (
    Path(__file__).resolve().parent.parent / "letter_templates" / "decision_default.docx"
)
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# What the template may hold once unpacked (a .docx is a ZIP: refuse ZIP bombs before
# python-docx reads every part into memory).
MAX_TEMPLATE_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_TEMPLATE_MEMBERS = 2000
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True)
class Tag:
    name: str
    description: str
    example: str


# The documented tags: the validation and the upload page both use these lists.
TAGS = [
    Tag("agency_name", "Nom de l’agence", "Agence régionale de santé Bretagne"),
    Tag(
        "agency_service",
        "Direction ou service de l’agence (en-tête)",
        "Direction de l’offre de soins et de l’autonomie",
    ),
    Tag(
        "agency_address",
        "Adresse postale de l’agence (plusieurs lignes)",
        "6 place des Colombes, CS 14253, 35042 Rennes Cedex",
    ),
    Tag("contact_name", "Affaire suivie par (nom)", "Gwenaëlle Le Bihan"),
    Tag("contact_email", "Affaire suivie par (courriel)", "ars-bretagne-autonomie@ars.sante.fr"),
    Tag("contact_phone", "Affaire suivie par (téléphone)", "02 61 91 00 35"),
    Tag("reference", "Référence du courrier", "ARS-53-bretagne-2025-12"),
    Tag("place", "Lieu de signature (ville du siège de l’agence)", "Rennes"),
    Tag(
        "place_and_date",
        "Lieu et date du courrier (date de la décision)",
        "Rennes, le 30 juin 2025",
    ),
    Tag("campaign_name", "Nom de la campagne", "Reconnaissance des filières 2025"),
    Tag("region", "Région de la campagne", "Bretagne"),
    Tag("call_date", "Date d’ouverture de l’appel à candidatures", "15 novembre 2024"),
    Tag("decision_date", "Date de la décision", "30 juin 2025"),
    Tag("generation_date", "Date de génération du courrier", "2 juillet 2025"),
    Tag("first_delegation_date", "Date prévue de la première délégation", "15 juillet 2025"),
    Tag("dossier_id", "Numéro du dossier", "12"),
    Tag("dossier_name", "Nom du dossier (fiche d’identité)", "Filière Nord Finistère"),
    Tag("submitted_date", "Date du dépôt", "14 février 2025"),
    Tag(
        "caresp_review_date",
        "Fin de la revue du dossier par la CARESP (vide si le dossier n’y est pas passé)",
        "20 mars 2025",
    ),
    Tag("filiere_name", "Nom de la filière", "Nord Finistère"),
    Tag("territories", "Territoire(s) de santé couvert(s)", "T1 — Brest – Carhaix – Morlaix"),
    Tag("departements", "Départements couverts", "29 Finistère"),
    Tag(
        "addressee_name",
        "Destinataire : le représentant légal de la structure porteuse (à défaut, le coordinateur)",
        "Marie Quéré",
    ),
    Tag("addressee_title", "Qualité du destinataire", "Directrice générale"),
    Tag(
        "lead_structure_address",
        "Adresse postale de la structure porteuse (plusieurs lignes)",
        "2 avenue Foch, 29200 Brest",
    ),
    Tag("coordinator_name", "Coordinateur de la filière (copie)", "Anne Le Goff"),
    Tag("addressee_email", "Courriel du coordinateur", "coordination@example.fr"),
    Tag("lead_structure_name", "Structure porteuse", "CHU de Brest"),
    Tag("lead_structure_finess", "FINESS de la structure porteuse", "290000017"),
    Tag("outcome", "Décision (libellé)", "Accepté"),
    Tag("outcome_code", "Décision (code : accepted, partially_accepted, rejected)", "accepted"),
    Tag("outcome_sentence", "Décision rédigée", "votre dossier est retenu"),
    Tag("accepted", "Vrai si le dossier est retenu, même partiellement", "{%p if accepted %}"),
    Tag("rejected", "Vrai si le dossier n’est pas retenu", "{%p if rejected %}"),
    Tag("funded", "Vrai si des crédits sont accordés", "{%p if funded %}"),
    Tag("recognised", "Vrai si la décision reconnaît la filière", "{%p if recognised %}"),
    Tag(
        "recognition_sentence",
        "Reconnaissance de la filière, rédigée",
        "la filière Nord Finistère est reconnue comme filière territoriale de soins "
        "palliatifs pour le territoire de santé T1 — Brest – Carhaix – Morlaix, à compter "
        "du 30 juin 2025",
    ),
    Tag("decision_comment", "Motivation de la décision", "Projet conforme à l’instruction."),
    Tag("projects", "Fiches projet (liste, voir ci-dessous)", "{%tr for p in projects %}"),
    Tag(
        "funded_projects",
        "Fiches projet recevant des crédits (liste, mêmes balises)",
        "{%p for p in funded_projects %}",
    ),
    Tag("total_recurring", "Total accordé, crédits reconductibles (par an)", "26 000,00 €"),
    Tag("total_one_off", "Total accordé, crédits ponctuels", "9 999,99 €"),
    Tag("total", "Total accordé (reconductibles + ponctuels)", "35 999,99 €"),
    Tag("total_requested", "Total demandé (reconductibles + ponctuels)", "38 345,67 €"),
    Tag(
        "years",
        "Montants par année de financement (liste, voir ci-dessous ; la première année "
        "des crédits reconductibles au prorata de leur mois de démarrage)",
        "{%tr for y in years %}",
    ),
    Tag(
        "full_rate_year",
        "Première année où tous les crédits reconductibles sont versés en année pleine",
        "2026",
    ),
    Tag("report_day", "Jour et mois du rapport annuel", "30 avril"),
    Tag("first_report_date", "Date du premier rapport annuel", "30 avril 2026"),
    Tag("first_report_year", "Année sur laquelle porte le premier rapport", "2025"),
    Tag("signatory_name", "Nom du signataire", "Élise Kervella"),
    Tag(
        "by_delegation",
        "Vrai si le signataire n’est pas le directeur général (« par délégation »)",
        "{%p if by_delegation %}",
    ),
    Tag(
        "delegation_line",
        "Mention de la délégation",
        "Pour la directrice générale et par délégation,",
    ),
    Tag("signatory_title", "Qualité du signataire", "Directrice générale de l’ARS Bretagne"),
    Tag("appeal_mention", "Voies et délais de recours", "Voies et délais de recours : …"),
]
PROJECT_TAGS = [
    Tag("p.priority", "Rang de priorité", "1"),
    Tag("p.title", "Intitulé de la fiche projet", "Renforcer l’équipe mobile"),
    Tag("p.requested_recurring", "Demandé, reconductible (par an)", "26 000,00 €"),
    Tag("p.requested_one_off", "Demandé, ponctuel", "12 345,67 €"),
    Tag("p.granted_recurring", "Accordé, reconductible (par an)", "26 000,00 €"),
    Tag("p.granted_one_off", "Accordé, ponctuel", "9 999,99 €"),
    Tag("p.granted_total", "Accordé, total de la fiche", "35 999,99 €"),
    Tag("p.requested_total", "Demandé, total de la fiche", "38 345,67 €"),
    Tag("p.status", "Fiche retenue, retenue partiellement ou non retenue", "retenue"),
    Tag("p.start_month", "Mois de démarrage des crédits reconductibles", "septembre 2025"),
    Tag("p.funded", "Vrai si la fiche reçoit des crédits", "{% if p.funded %}"),
    Tag(
        "p.years_text",
        "Montants de la fiche par année de financement",
        "2025 : 8 666,67 € ; 2026 : 26 000,00 €",
    ),
    Tag(
        "p.lines",
        "Lignes de financement de la fiche (liste, voir ci-dessous)",
        "{%tr for l in p.lines %}",
    ),
]
LINE_TAGS = [
    Tag("l.label", "Libellé de la ligne", "Infirmier de l’équipe mobile"),
    Tag("l.nature", "Nature (reconductible ou ponctuel)", "reconductible"),
    Tag("l.requested", "Montant demandé (année pleine pour un reconductible)", "52 000,00 €"),
    Tag("l.granted", "Montant accordé, ou « non retenue »", "52 000,00 €"),
    Tag(
        "l.when",
        "Calendrier : « à compter de » le mois de démarrage (reconductible) ou l’année (ponctuel)",
        "à compter de septembre 2025",
    ),
    Tag(
        "l.establishment",
        "Établissement bénéficiaire (nom et FINESS)",
        "CH de Morlaix (FINESS 290000058)",
    ),
    Tag("l.beneficiary_finess", "FINESS de l’établissement bénéficiaire", "290000058"),
    Tag("l.beneficiary_name", "Nom de l’établissement bénéficiaire", "CH de Morlaix"),
    Tag("l.funded", "Vrai si la ligne reçoit des crédits", "{% if l.funded %}"),
]
YEAR_TAGS = [
    Tag("y.year", "Année", "2025"),
    Tag("y.recurring", "Crédits reconductibles de l’année", "8 666,67 €"),
    Tag("y.one_off", "Crédits ponctuels de l’année", "9 999,99 €"),
    Tag("y.total", "Total de l’année", "18 666,66 €"),
    Tag(
        "y.prorated", "Vrai si l’année compte un démarrage en cours d’année", "{% if y.prorated %}"
    ),
]
TAG_NAMES = frozenset(tag.name for tag in TAGS)

OUTCOME_SENTENCES = {
    Outcome.ACCEPTED: "votre dossier est retenu",
    Outcome.PARTIALLY_ACCEPTED: "votre dossier est retenu partiellement",
    Outcome.REJECTED: "votre dossier n’est pas retenu",
}

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def french_date(value):
    """« 30 juin 2025 », « 1er juillet 2025 »; empty for None."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localdate(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def french_month(value):
    return f"{MONTHS[value.month - 1]} {value.year}" if value else ""


def jinja_env():
    # Sandboxed: a template is a file uploaded through the web, it must not reach
    # Python internals ({{ ''.__class__.__mro__ }} and the like), nor ask for a huge
    # text or an endless render (outputs.domain.template_limits).
    return GuardedSandbox(undefined=StrictUndefined, autoescape=True)


class _CachingEnvironment(GuardedSandbox):
    """docxtpl compiles the document's XML at every render: compile each source once."""

    MAX_ENTRIES = 256

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.MAX_ENTRIES:
                self._compiled.clear()
            template = super().from_string(source)
            self._compiled[source] = template
        return template


_RENDER_ENV = _CachingEnvironment(undefined=StrictUndefined, autoescape=True)


class _DocxTemplate(DocxTemplate):
    """docxtpl re-patches the same XML (regular expressions) at every render: do it once.

    docxtpl also re-opens the whole package (unzip, parse every part) before each render
    because rendering replaces the body, headers and footers: this one opens it once,
    keeps the template's own XML of the parts it renders and renders the next letter
    from them on the same package (a letter then costs its own parts only). One letter
    at a time per object: `render_to_bytes` holds its lock."""

    _patched = {}

    def __init__(self, template_file):
        super().__init__(template_file)
        self._lock = threading.Lock()
        self._sources = None

    def patch_xml(self, src_xml):
        patched = self._patched.get(src_xml)
        if patched is None:
            if len(self._patched) >= 256:
                self._patched.clear()
            patched = super().patch_xml(src_xml)
            self._patched[src_xml] = patched
        return patched

    def init_docx(self, reload=True):
        if self.docx is None:
            self.docx = Document(self.template_file)
            self.is_rendered = False
            properties = self.docx.core_properties
            self._sources = {
                "body": super().get_xml(),
                "parts": {},
                "properties": {name: getattr(properties, name) for name in _RENDERED_PROPERTIES},
                "shell": _document_shell(self.docx.part),
                # The parts no letter changes, serialized once.
                "static": {
                    part: serialize_part_xml(part.element)
                    for part in self.docx.part.package.iter_parts()
                    if isinstance(part, XmlPart) and part.content_type in _STATIC_TYPES
                },
            }

    def get_xml(self):
        return self._sources["body"]

    def map_tree(self, tree):
        """Keep the rendered body for `save` instead of moving it into the document:
        lxml's move between documents (namespaces fixed node by node) was a quarter
        of a letter's time."""
        if self._sources["shell"] is None:
            super().map_tree(tree)
        else:
            self._rendered_body = tree

    def resolve_listing(self, xml):
        """docxtpl's Listing runs (tabs, line and page breaks in a text), worked out for
        the paragraphs whose texts hold one: docxtpl rewrites every run of the letter."""
        resolve = super().resolve_listing

        def paragraph(match):
            text = match.group(0)
            return resolve(text) if _LISTING_TEXT.search(text) else text

        return _PARAGRAPH.sub(paragraph, xml)

    def save(self, filename, *args, **kwargs):
        """docxtpl's save, writing the package itself: the main document part is the
        template's shell around the rendered body, and the members no letter changes
        (styles are nine tenths of a letter's bytes) are compressed once."""
        if self._sources["shell"] is None:
            return super().save(filename, *args, **kwargs)
        self.pre_processing()
        prefix, suffix = self._sources["shell"]
        document = self.docx.part
        blob = prefix + etree.tostring(self._rendered_body, encoding="UTF-8") + suffix
        package = document.package
        serialized = self._sources["static"]
        parts = []
        for part in package.iter_parts():
            if part is document:
                part = _WrittenPart(part, blob)
            elif part in serialized:
                part = _WrittenPart(part, serialized[part])
            parts.append(part)
        # PackageWriter.write's steps, collecting the ZIP's members.
        members = _Members()
        PackageWriter._write_content_types_stream(members, parts)
        PackageWriter._write_pkg_rels(members, package.rels)
        PackageWriter._write_parts(members, parts)
        data = self._package_bytes(members)
        if hasattr(filename, "write"):
            filename.write(data)
        else:
            Path(filename).write_bytes(data)
        self.post_processing(filename)
        self.is_saved = True
        return None

    def _package_bytes(self, members):
        """The ZIP of [(name, bytes)]: the members equal to the previous letter's are
        copied from a ZIP of them compressed once, the others are added to it."""
        previous = self._sources.get("previous", {})
        self._sources["previous"] = dict(members)
        unchanged = tuple((name, data) for name, data in members if previous.get(name) == data)
        if self._sources.get("unchanged") != unchanged:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in unchanged:
                    archive.writestr(name, data)
            self._sources["unchanged"], self._sources["unchanged_zip"] = (
                unchanged,
                buffer.getvalue(),
            )
        unchanged_names = {name for name, _data in unchanged}
        output = io.BytesIO(self._sources["unchanged_zip"])
        with zipfile.ZipFile(output, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                if name not in unchanged_names:
                    archive.writestr(name, data)
        return output.getvalue()

    def get_part_xml(self, part):
        sources = self._sources["parts"]
        name = str(part.partname)
        if name not in sources:
            sources[name] = super().get_part_xml(part)
        return sources[name]

    def render_properties(self, context, jinja_env=None):
        for name, initial in self._sources["properties"].items():
            rendered = jinja_env.from_string(initial).render(context)
            setattr(self.docx.core_properties, name, rendered)

    def render_footnotes(self, context, jinja_env=None):
        footnotes = self._sources.setdefault("footnotes", {})
        for part in self.docx.part.package.parts:
            if part.content_type == _FOOTNOTES_TYPE:
                name = str(part.partname)
                if name not in footnotes:
                    blob = part.blob
                    footnotes[name] = blob.decode("utf-8") if isinstance(blob, bytes) else blob
                xml = self.render_xml_part(
                    self.patch_xml(footnotes[name]), part, context, jinja_env
                )
                part._blob = xml.encode("utf-8")

    def render_to_bytes(self, context):
        with self._lock, template_limits.deadline():
            self.render(context, jinja_env=_RENDER_ENV, autoescape=True)
            output = io.BytesIO()
            self.save(output)
        return output.getvalue()


# Parts docxtpl never renders (the document, headers, footers, footnotes and core
# properties are rendered for each letter).
_STATIC_TYPES = {
    CT.WML_STYLES,
    CT.WML_SETTINGS,
    CT.WML_NUMBERING,
    CT.WML_FONT_TABLE,
    CT.WML_WEB_SETTINGS,
    CT.OFC_THEME,
}


class _WrittenPart:
    """A part as PackageWriter reads it (name, type, relationships), with its bytes."""

    def __init__(self, part, blob):
        self.partname, self.content_type, self.rels = part.partname, part.content_type, part.rels
        self.blob = blob


class _Members(list):
    """python-docx's ZIP package writer, collecting [(member name, bytes)]."""

    def write(self, pack_uri, blob):
        self.append((pack_uri.membername, blob))


def _document_shell(document_part):
    """(bytes before <w:body>, bytes after </w:body>) of the template's document.xml;
    None when the body cannot be told apart (then docxtpl renders as it does)."""
    xml = serialize_part_xml(document_part.element)
    if xml.count(b"<w:body") != 1 or xml.count(b"</w:body>") != 1:
        return None
    start, end = xml.index(b"<w:body"), xml.index(b"</w:body>") + len(b"</w:body>")
    return xml[:start], xml[end:]


# A text run holding what docxtpl's resolve_listing turns into runs.
_LISTING_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")
# A paragraph as docxtpl's resolve_listing finds them.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)

# The core properties docxtpl renders (DocxTemplate.render_properties).
_RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


@functools.lru_cache(maxsize=8)
def _loaded_template(template_data):
    """The template opened once per process for the letters that use it (keyed by its
    bytes: a new upload is a new key)."""
    return _DocxTemplate(io.BytesIO(template_data))


# ---------------------------------------------------------------- context


def _sums(prefix):
    rec = Q(**{f"{prefix}nature": LineNature.RECURRING})
    one = Q(**{f"{prefix}nature": LineNature.ONE_OFF})
    return {
        "req_recurring": Coalesce(Sum(f"{prefix}amount", filter=rec), _ZERO),
        "req_one_off": Coalesce(Sum(f"{prefix}amount", filter=one), _ZERO),
        "grant_recurring": Coalesce(Sum(f"{prefix}granted", filter=rec), _ZERO),
        "grant_one_off": Coalesce(Sum(f"{prefix}granted", filter=one), _ZERO),
    }


def letter_queryset(queryset=None):
    """Dossiers with everything a letter needs, in a fixed number of queries."""

    queryset = Dossier.objects.all() if queryset is None else queryset
    projects = Project.objects.annotate(
        **_sums("lines__"),
        first_month=Min(
            "lines__start_month",
            filter=Q(lines__nature=LineNature.RECURRING, lines__granted__gt=0),
        ),
    ).order_by("priority", "id")
    lines = FundingLine.objects.order_by("pk")
    # When the CARESP's review ended (a subquery: a join would multiply the sums).
    caresp_end = (
        HistoryEntry.objects.filter(dossier=OuterRef("pk"), from_state=DossierState.CARESP_REVIEW)
        .exclude(to_state=DossierState.RETURNED)
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        queryset.select_related("campaign__region", "filiere")
        .defer("diagnostic", "swot")
        .annotate(**_sums("projects__lines__"), caresp_review_end=Subquery(caresp_end))
        .prefetch_related(
            "filiere__territories",
            Prefetch("projects", queryset=projects),
            Prefetch("projects__lines", queryset=lines),
        )
    )


def _decimal(value):
    return Decimal(value or 0)


def sheet_status(requested, granted):
    """« retenue », « retenue partiellement » or « non retenue », never "0,00 €" alone."""
    if granted <= 0:
        return "non retenue"
    return "retenue" if granted >= requested else "retenue partiellement"


def recognition_sentence(dossier, territories):
    """The recognition in words (the point of the call), or that there is none."""
    name = dossier.filiere.name
    if not dossier.recognised:
        return (
            f"la filière {name} n’est pas reconnue, par la présente décision, comme filière "
            "territoriale de soins palliatifs"
        )
    places = " ; ".join(f"{t.code} — {t.name}" for t in territories)
    where = (
        f" pour le territoire de santé {places}"
        if len(territories) == 1
        else f" pour les territoires de santé {places}"
        if territories
        else ""
    )
    since = f", à compter du {french_date(dossier.decided_at)}" if dossier.decided_at else ""
    return (
        f"la filière {name} est reconnue comme filière territoriale de soins palliatifs"
        f"{where}{since}"
    )


DIRECTOR_TITLES = ("directeur général", "directrice générale")


def signs_by_delegation(title):
    """A signatory other than the director general signs « par délégation »."""
    lowered = (title or "").strip().lower()
    return not (lowered.startswith(DIRECTOR_TITLES) and "adjoint" not in lowered)


def letter_reference(dossier):
    return f"ARS-{dossier.campaign.region.code}-{dossier.campaign.slug}-{dossier.id}"


def _listing(text):
    """A multi-line text for the letter, through the text-cleaning rule first (a text
    stored before the rule, with a control character, would break the document)."""
    return Listing(xml_safe(text))


def _establishment(finess, names):
    name = names.get(finess or "", "")
    if name and finess:
        return typographic(f"{name} (FINESS {finess})")
    return f"FINESS {finess}" if finess else ""


def _line_context(line, names, decided_on):
    recurring = line.nature == LineNature.RECURRING
    granted = _decimal(line.granted)
    if granted <= 0:
        when = ""
    elif recurring:
        when = f"à compter de {french_month(line.start_month)}" if line.start_month else ""
    else:
        year = line.start_month.year if line.start_month else decided_on.year
        when = f"en {year}"
    return {
        "label": typographic(line.label),
        "nature": "reconductible" if recurring else "ponctuel",
        "requested": format_eur(line.amount),
        "granted": format_eur(granted) if granted > 0 else "non retenue",
        "when": when,
        "establishment": _establishment(line.beneficiary_finess, names),
        "beneficiary_finess": line.beneficiary_finess or "",
        "beneficiary_name": typographic(names.get(line.beneficiary_finess or "", "")),
        "funded": granted > 0,
    }


def _years_text(years, costs):
    return "\u202f; ".join(
        f"{year}\u00a0: {format_eur(cost)}" for year, cost in zip(years, costs, strict=True) if cost
    )


def letter_context(dossier, *, today=None):
    """Every documented tag for this dossier (fetched with `letter_queryset`); every
    text cleaned (common.text) so that no stored text can break the document."""
    return xml_safe_all(_letter_context(dossier, today=today))


def _letter_context(dossier, *, today=None):
    campaign = dossier.campaign
    region = campaign.region
    identity = dossier.identity or {}
    lead = identity.get("lead_structure") or {}
    coordinator = identity.get("coordinator") or {}
    territories = sorted(dossier.filiere.territories.all(), key=lambda t: t.code)
    departements = sorted({code for t in territories for code in (t.departements or [])})
    names = establishment_names(identity)
    decided_on = (
        timezone.localdate(dossier.decided_at) if dossier.decided_at else timezone.localdate()
    )

    # The granted lines' costs per year: the budget's read model (first year prorated).
    project_list = list(dossier.projects.all())
    granted = [
        (project.pk, line)
        for project in project_list
        for line in project.lines.all()
        if _decimal(line.granted) > 0
    ]
    specs = [
        (line.nature, line.granted, line.start_month, dossier.decided_at) for _p, line in granted
    ]
    years = commitment_years(specs)
    costs = line_commitments(specs, years)
    per_project = {}
    per_year = [{"recurring": Decimal(0), "one_off": Decimal(0)} for _year in years]
    for (project_pk, line), line_costs in zip(granted, costs, strict=True):
        sums = per_project.setdefault(project_pk, [Decimal(0)] * len(years))
        kind = "recurring" if line.nature == LineNature.RECURRING else "one_off"
        for index, cost in enumerate(line_costs):
            sums[index] += cost
            per_year[index][kind] += cost
    total_recurring = _decimal(dossier.grant_recurring)
    year_rows = [
        {
            "year": year,
            "recurring": format_eur(amounts["recurring"]),
            "one_off": format_eur(amounts["one_off"]),
            "total": format_eur(amounts["recurring"] + amounts["one_off"]),
            "prorated": amounts["recurring"] < total_recurring,
        }
        for year, amounts in zip(years, per_year, strict=True)
    ]

    projects = []
    for project in project_list:
        granted_total = _decimal(project.grant_recurring) + _decimal(project.grant_one_off)
        requested_total = _decimal(project.req_recurring) + _decimal(project.req_one_off)
        projects.append(
            {
                "priority": project.priority if project.priority is not None else "",
                "title": typographic(project.title),
                "requested_recurring": format_eur(project.req_recurring),
                "requested_one_off": format_eur(project.req_one_off),
                "granted_recurring": format_eur(project.grant_recurring),
                "granted_one_off": format_eur(project.grant_one_off),
                "granted_total": format_eur(granted_total),
                "requested_total": format_eur(requested_total),
                "status": sheet_status(requested_total, granted_total),
                "start_month": french_month(project.first_month),
                "funded": granted_total > 0,
                "years_text": _years_text(years, per_project.get(project.pk, [0] * len(years))),
                "lines": [_line_context(line, names, decided_on) for line in project.lines.all()],
            }
        )
    outcome = dossier.outcome or ""
    total_one_off = _decimal(dossier.grant_one_off)
    first_report = campaign.first_report_date(decided_on)
    seat = region.seat_city or ""
    decision_date = french_date(dossier.decided_at)
    agency = region.agency_name or f"Agence régionale de santé {region.name}"
    return {
        "agency_name": typographic(agency),
        "agency_service": typographic(campaign.contact_service),
        "agency_address": _listing(typographic(region.address)),
        "contact_name": typographic(campaign.contact_name),
        "contact_email": campaign.contact_email,
        "contact_phone": campaign.contact_phone,
        "reference": letter_reference(dossier),
        "place": typographic(seat),
        "place_and_date": typographic(
            f"{seat}, le {decision_date}" if seat else f"Le {decision_date}"
        ),
        "campaign_name": typographic(campaign.name),
        "region": typographic(region.name),
        "call_date": french_date(campaign.opens_at),
        "decision_date": decision_date,
        "generation_date": french_date(today or timezone.localdate()),
        "first_delegation_date": french_date(campaign.first_delegation_date),
        "dossier_id": dossier.id,
        "dossier_name": typographic(identity.get("name") or dossier.filiere.name),
        "submitted_date": french_date(dossier.submitted_at),
        "caresp_review_date": french_date(getattr(dossier, "caresp_review_end", None)),
        "filiere_name": typographic(dossier.filiere.name),
        "territories": typographic(" ; ".join(f"{t.code} — {t.name}" for t in territories)),
        "departements": typographic(", ".join(departement_label(code) for code in departements)),
        "addressee_name": typographic(
            lead.get("representative_name") or coordinator.get("name") or ""
        ),
        "addressee_title": typographic(lead.get("representative_title") or "")
        if lead.get("representative_name")
        else "",
        "lead_structure_address": _listing(typographic(lead.get("address") or "")),
        "coordinator_name": typographic(coordinator.get("name") or ""),
        "addressee_email": coordinator.get("email") or "",
        "lead_structure_name": typographic(lead.get("name") or ""),
        "lead_structure_finess": lead.get("finess") or "",
        "outcome": str(Outcome(outcome).label) if outcome in Outcome.values else "",
        "outcome_code": outcome,
        "outcome_sentence": typographic(OUTCOME_SENTENCES.get(outcome, "")),
        "accepted": outcome in (Outcome.ACCEPTED, Outcome.PARTIALLY_ACCEPTED),
        "rejected": outcome == Outcome.REJECTED,
        "funded": total_recurring + total_one_off > 0,
        "recognised": bool(dossier.recognised),
        "recognition_sentence": typographic(recognition_sentence(dossier, territories)),
        "decision_comment": _listing(typographic(dossier.decision_comment or "")),
        "projects": projects,
        "funded_projects": [p for p in projects if p["funded"]],
        "total_recurring": format_eur(total_recurring),
        "total_one_off": format_eur(total_one_off),
        "total": format_eur(total_recurring + total_one_off),
        "total_requested": format_eur(
            _decimal(dossier.req_recurring) + _decimal(dossier.req_one_off)
        ),
        "years": year_rows,
        "full_rate_year": years[-1] if years and total_recurring > 0 else "",
        "report_day": french_date(first_report).rsplit(" ", 1)[0],
        "first_report_date": french_date(first_report),
        "first_report_year": first_report.year - 1,
        "by_delegation": signs_by_delegation(campaign.signatory_title),
        "delegation_line": typographic(
            f"Pour {region.director_title or 'le directeur général'} et par délégation,"
        ),
        "signatory_name": typographic(campaign.signatory_name),
        "signatory_title": typographic(campaign.signatory_title),
        "appeal_mention": _listing(typographic(campaign.appeal_text())),
    }


def sample_context(*, rejected=False):
    """A complete context with the documented examples: used to validate templates."""
    context = {tag.name: tag.example for tag in TAGS}
    context.update(
        dossier_id=12,
        accepted=not rejected,
        rejected=rejected,
        funded=not rejected,
        recognised=not rejected,
        by_delegation=True,
        decision_comment=Listing("Projet conforme à l’instruction."),
        appeal_mention=Listing("Voies et délais de recours : …"),
        lead_structure_address=Listing("2 avenue Foch\n29200 Brest"),
        agency_address=Listing("6 place des Colombes\nCS 14253\n35042 Rennes Cedex"),
        first_report_year=2025,
        full_rate_year=2026,
    )
    line = {tag.name.removeprefix("l."): tag.example for tag in LINE_TAGS}
    line.update(funded=True)
    project = {tag.name.removeprefix("p."): tag.example for tag in PROJECT_TAGS}
    project.update(priority=1, funded=True, lines=[line, {**line, "funded": False}])
    year = {tag.name.removeprefix("y."): tag.example for tag in YEAR_TAGS}
    year.update(year=2025, prorated=True)
    projects = [project, {**project, "priority": 2, "funded": False}]
    context.update(
        projects=projects,
        funded_projects=projects[:1],
        years=[year, {**year, "year": 2026, "prorated": False}],
    )
    return context


# ---------------------------------------------------------------- template


def template_bytes(campaign):
    """The campaign's own template, or the default one."""
    if campaign.letter_template:
        with campaign.letter_template.open("rb") as handle:
            return handle.read()
    return DEFAULT_TEMPLATE.read_bytes()


def _syntax_message(exc):
    context_lines = list(getattr(exc, "docx_context", None) or [])
    text = ""
    if context_lines and exc.lineno:
        index = exc.lineno - 1 - max(exc.lineno - 4, 0)
        if 0 <= index < len(context_lines):
            text = context_lines[index].strip()
        if not text:
            text = " ".join(line.strip() for line in context_lines if line.strip())
    text = re.sub(r"\s+", " ", text)[:200]
    where = (
        _("au paragraphe n° %(n)d (« %(text)s »)") % {"n": max(exc.lineno - 1, 1), "text": text}
        if text
        else _("à la ligne %(n)d") % {"n": exc.lineno or 0}
    )
    return _(
        "Le modèle contient une erreur de syntaxe %(where)s : vérifiez les accolades et les "
        "balises {%% … %%} (détail : %(detail)s)."
    ) % {"where": where, "detail": exc.message or exc}


def _undefined_name(exc, xml=""):
    """The unknown tag an UndefinedError names, with its loop variable when the
    template's text shows it (« y.montant », « l.montant »; « p. » by default)."""
    message = str(exc)
    match = re.search(r"has no attribute '([^']+)'", message)
    if match:
        attribute = match.group(1)
        if "dict object" not in message:
            return attribute
        used = re.search(r"\b([A-Za-z_]\w*)\s*\.\s*" + re.escape(attribute) + r"\b", xml)
        return f"{used.group(1) if used else 'p'}.{attribute}"
    match = re.search(r"'([^']+)' is undefined", message)
    return match.group(1) if match else message


def validate_template(data):
    """Refuse anything but a .docx whose tags are all documented; return the bytes.

    Raises InvalidInput with a French message naming the unknown tag or the
    paragraph where the syntax is broken."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise InvalidInput(
            _("Le modèle dépasse %(n)d Mo.") % {"n": MAX_TEMPLATE_BYTES // (1024 * 1024)},
            {"letter_template": [_("Fichier trop volumineux.")]},
        )
    not_docx = _("Le fichier n'est pas un document Word (.docx) valide.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InvalidInput(not_docx, {"letter_template": [not_docx]})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InvalidInput(not_docx, {"letter_template": [not_docx]}) from None
    if "word/document.xml" not in {m.filename for m in members}:
        raise InvalidInput(not_docx, {"letter_template": [not_docx]})
    if (
        len(members) > MAX_TEMPLATE_MEMBERS
        or sum(m.file_size for m in members) > MAX_TEMPLATE_UNPACKED_BYTES
    ):
        too_big = _(
            "Le modèle est trop volumineux une fois décompressé (%(n)d Mo au plus) : "
            "ce n'est pas un document Word ordinaire."
        ) % {"n": MAX_TEMPLATE_UNPACKED_BYTES // (1024 * 1024)}
        raise InvalidInput(too_big, {"letter_template": [too_big]})
    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except Exception:  # python-docx raises several kinds for a broken package
        raise InvalidInput(not_docx, {"letter_template": [not_docx]}) from None
    try:
        problem = template_limits.run_limited(_render_samples, data)
    except TemplateLimitExceeded as exc:
        message = _("Le modèle ne peut pas être utilisé : %(detail)s.") % {"detail": exc}
        raise InvalidInput(message, {"letter_template": [message]}) from None
    undefined_error = None
    if problem is not None:
        kind, detail = problem
        if kind == "undefined":
            undefined_error = detail
        else:
            raise InvalidInput(detail, {"letter_template": [detail]})
    used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env())
    unknown = sorted(used - TAG_NAMES)
    if not unknown and undefined_error is not None:
        unknown = [undefined_error]
    if unknown:
        names = ", ".join(f"« {name} »" for name in unknown)
        message = (
            _(
                "Balise inconnue dans le modèle : %(names)s. Utilisez uniquement les balises documentées."
            )
            if len(unknown) == 1
            else _(
                "Balises inconnues dans le modèle : %(names)s. Utilisez uniquement les balises documentées."
            )
        ) % {"names": names}
        raise InvalidInput(message, {"letter_template": [message]})
    return data


# ---------------------------------------------------------------- rendering


def _document_text(data):
    """The template's text without its XML tags (to find the loop variable of a tag)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8", "replace")
    return re.sub(r"<[^>]+>", "", xml)


def _render_samples(data):
    """Render the template for an accepted and for a rejected sample dossier (both
    branches of {%p if accepted %} / {%p if rejected %}); run in a limited child process
    by validate_template. Returns None, ("undefined", name) or ("invalid", message)."""
    undefined = None
    for context in (sample_context(), sample_context(rejected=True)):
        try:
            with template_limits.deadline(template_limits.VALIDATION_SECONDS):
                DocxTemplate(io.BytesIO(data)).render(
                    context, jinja_env=jinja_env(), autoescape=True
                )
        except TemplateSyntaxError as exc:
            return ("invalid", _syntax_message(exc))
        except UndefinedError as exc:
            undefined = undefined or _undefined_name(exc, _document_text(data))
        except MemoryError:
            raise  # the child process reports it (template_limits.run_limited)
        except Exception as exc:  # a limit, a filter applied to the wrong type, the sandbox
            detail = str(exc).rstrip(".")
            return (
                "invalid",
                _("Le modèle ne peut pas être utilisé : %(detail)s.") % {"detail": detail},
            )
    return ("undefined", undefined) if undefined else None


def check_signatory(campaign):
    """A decision letter is an act: it is never produced without its signatory."""
    if not (campaign.signatory_name or "").strip() or not (campaign.signatory_title or "").strip():
        raise Conflict(
            _(
                "Le courrier ne peut pas être produit sans signataire : indiquez le nom et la "
                "qualité du signataire dans les paramètres des courriers de la campagne."
            )
        )


def render_letter(dossier, template_data=None, *, today=None):
    """The letter of one decided dossier (fetched with `letter_queryset`), as bytes."""
    check_signatory(dossier.campaign)
    if template_data is None:
        template_data = template_bytes(dossier.campaign)
    context = letter_context(dossier, today=today)
    try:
        return _loaded_template(template_data).render_to_bytes(context)
    except TemplateError as exc:
        # A template validated on the sample may still fail on a real dossier (a branch
        # the sample did not take): say so instead of a server error.
        raise Conflict(
            _(
                "Le modèle de courrier de la campagne ne peut pas être appliqué au dossier "
                "n° %(id)s : %(detail)s. Corrigez le modèle (ou revenez au modèle par défaut)."
            )
            % {"id": dossier.id, "detail": exc}
        ) from None


def letter_filename(dossier):
    return f"courrier-decision-{dossier.id}-{slugify(dossier.filiere.slug or dossier.filiere.name)}.docx"


def letter_for(user, dossier_id):
    """(filename, bytes) of a dossier's letter for this user.

    Internal staff may download any decided dossier's letter; the filière's lead
    and co-editors only their own, once decided. Anyone else: NotFound.
    Not decided yet: Conflict."""

    dossier = get_visible_dossier(user, dossier_id, letter_queryset())
    if dossier is None:
        raise NotFound(_("Dossier introuvable."))
    if dossier.state != DossierState.DECIDED:
        raise Conflict(
            _("Le courrier de décision n'existe qu'une fois le dossier décidé (état : %(state)s).")
            % {"state": dossier.get_state_display()}
        )
    return letter_filename(dossier), render_letter(dossier)


def decided_dossiers(campaign):
    return letter_queryset(campaign.dossiers.filter(state=DossierState.DECIDED)).order_by(
        "filiere__name", "id"
    )


def write_letters_zip(campaign, fileobj, progress=None):
    """Write one letter per decided dossier into a ZIP; return the number of letters."""
    check_signatory(campaign)
    dossiers = list(decided_dossiers(campaign))
    template_data = template_bytes(campaign)
    today = timezone.localdate()
    total = len(dossiers)
    if progress:
        progress(0, total)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, dossier in enumerate(dossiers, start=1):
            archive.writestr(
                letter_filename(dossier), render_letter(dossier, template_data, today=today)
            )
            if progress:
                progress(index, total)
    return total


def zip_filename(campaign, today=None):
    today = today or timezone.localdate()
    return f"courriers-{campaign.slug}-{today.isoformat()}.zip"


# ---------------------------------------------------------------- settings


CONTACT_FIELDS = ("contact_service", "contact_name", "contact_email", "contact_phone")
_UNCHANGED = object()


def update_letter_settings(
    user,
    campaign,
    *,
    signatory_name,
    signatory_title,
    appeal_mention,
    template_data=None,
    reset_template=False,
    contact=None,
    report_due_date=_UNCHANGED,
):
    """Administrator: signatory, « affaire suivie par », the first yearly report's date,
    appeal mention and the campaign's own template. `contact` ({contact_service,
    contact_name, contact_email, contact_phone}) and `report_due_date` (None: the
    default, 30 April after the decision) left out: unchanged."""

    if not can_manage_letter_template.test(user, campaign):
        raise Forbidden(_("Seul un administrateur peut modifier le modèle de courrier."))
    errors = {}
    signatory_name = clean_line(signatory_name or "")
    signatory_title = clean_line(signatory_title or "")
    appeal_mention = clean_text(appeal_mention or "")
    if not appeal_mention.strip():
        errors["appeal_mention"] = [_("La mention des voies et délais de recours est obligatoire.")]
    decided_on = campaign.decision_date
    if (
        report_due_date is not _UNCHANGED
        and report_due_date
        and decided_on
        and report_due_date <= decided_on
    ):
        errors["report_due_date"] = [
            _("Le premier rapport annuel est dû après la décision (%(date)s).")
            % {"date": french_date(decided_on)}
        ]
    if errors:
        raise InvalidInput(_("Certaines informations sont invalides."), errors)
    if template_data is not None:
        validate_template(template_data)
    if contact is not None:
        for key in CONTACT_FIELDS:
            setattr(campaign, key, clean_line(contact.get(key) or "").strip())
    if report_due_date is not _UNCHANGED:
        campaign.report_due_date = report_due_date
    campaign.signatory_name = (signatory_name or "").strip()
    campaign.signatory_title = (signatory_title or "").strip()
    campaign.appeal_mention = appeal_mention.strip()
    old = campaign.letter_template.name if campaign.letter_template else None
    if template_data is not None:
        campaign.letter_template.save("modele.docx", ContentFile(template_data), save=False)
    elif reset_template:
        campaign.letter_template = ""
    campaign.save()
    if old and old != (campaign.letter_template.name or None):
        campaign.letter_template.storage.delete(old)
    return campaign
