"""Writing a dossier: one function per action, each checking rights and state under a row lock.

Every change bumps Dossier.version; `update_parts` refuses a stale version or
a part changed by someone else since it was loaded, so two editors never
silently overwrite each other."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.enums import CampaignState
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.identifiers import validate_finess
from common.limits import MAX_LINES, MAX_PROJECTS, MAX_SWOT_ITEMS, bounded
from common.money import parse_amount
from common.text import clean_text
from dossiers.domain.due_dates import overdue_message
from dossiers.domain.parts import CLEANERS, _Collector, clean_diagnostic
from dossiers.enums import LineCategory, LineNature, Mission
from dossiers.models import Dossier, FundingLine, Project
from dossiers.rules import is_dossier_editor


def part_fingerprint(value):
    """Short hash of a part's content: the UI sends it back to detect concurrent edits."""
    canonical = json.dumps(value or {}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _lock_for_edit(dossier, user, now=None):
    locked = (
        Dossier.objects.select_for_update().select_related("campaign", "filiere").get(pk=dossier.pk)
    )
    if not is_dossier_editor.test(user, locked):
        raise Forbidden(_("Seuls les porteurs de la filière peuvent modifier ce dossier."))
    if locked.completion_overdue(now):
        raise Conflict(overdue_message(locked))
    if not locked.is_editable:
        raise Conflict(
            _("Le dossier est « %(state)s » : il ne peut plus être modifié.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _touch(dossier, *fields):
    dossier.version += 1
    dossier.updated_at = timezone.now()
    dossier.save(update_fields=["version", "updated_at", *fields])


def create_dossier(user, campaign, filiere):
    """The filière's draft for this campaign (one per filière and campaign), written by
    its editors while the campaign takes the filière part."""
    if filiere.id not in user.filiere_ids:
        raise Forbidden(_("Seul un porteur de cette filière peut créer son dossier."))
    if not campaign.filieres.filter(pk=filiere.pk).exists():
        raise Conflict(_("Cette filière ne participe pas à cette campagne."))
    if campaign.is_draft:
        # Nothing of a call in preparation exists for the applicants.
        raise NotFound(_("Campagne introuvable."))
    if campaign.is_followup:
        raise Conflict(
            _("Une campagne de suivi annuel n'accepte pas de dossier : remplissez son rapport.")
        )
    if campaign.state != CampaignState.PUBLISHED:
        raise Conflict(_("Cette campagne est close : elle n'accepte plus de nouveau dossier."))
    if Dossier.objects.filter(campaign=campaign, filiere=filiere).exists():
        raise Conflict(_("Cette filière a déjà un dossier pour cette campagne."))
    try:
        with transaction.atomic():
            return Dossier.objects.create(
                campaign=campaign,
                filiere=filiere,
                created_by=user,
                identity={"name": filiere.name},
                diagnostic=clean_diagnostic({}),
                swot={key: [] for key in ("strengths", "weaknesses", "opportunities", "threats")},
            )
    except IntegrityError:
        raise Conflict(_("Cette filière a déjà un dossier pour cette campagne.")) from None


def update_parts(dossier, user, parts, *, version=None, fingerprints=None, now=None):
    """Replace whole parts (identity, diagnostic, swot).

    `version`: the dossier version the client read (API). `fingerprints`:
    {part: fingerprint} of the parts as the form showed them (UI), so that an
    edit of another part by a co-editor does not block this one."""
    unknown = set(parts) - set(CLEANERS)
    if unknown:
        raise InvalidInput(_("Partie inconnue."), {key: [_("Partie inconnue.")] for key in unknown})
    errors = {}
    cleaned = {}
    for key, value in parts.items():
        try:
            cleaned[key] = CLEANERS[key](value)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(_("Certaines informations sont invalides."), errors)
    with transaction.atomic():
        locked = _lock_for_edit(dossier, user, now)
        if version is not None and version != locked.version:
            raise Conflict(
                _(
                    "Le dossier a été modifié entre-temps (version %(current)d, vous aviez la version %(yours)d) : rechargez-le avant d'enregistrer."
                )
                % {"current": locked.version, "yours": version}
            )
        for key, fingerprint in (fingerprints or {}).items():
            if part_fingerprint(getattr(locked, key)) != fingerprint:
                raise Conflict(
                    _(
                        "Cette partie a été modifiée par une autre personne pendant que vous la modifiiez. Vos saisies sont conservées ci-dessous : rechargez la page pour voir sa version, puis reportez vos changements."
                    )
                )
        for key, value in cleaned.items():
            setattr(locked, key, value)
        _touch(locked, *cleaned)
    return locked


MAX_PRIORITY = 9999


def _whole_number(value):
    """A JSON integer, or a string of at most 9 ASCII digits, as an int; else None.

    (str.isdigit() alone accepts "²" or "١٢٣", on which int() fails.)"""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None


def _clean_date(c, data, key, path):
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        c.add(path, _("Date attendue au format AAAA-MM-JJ."))
        return None


def clean_project(data, *, partial=False):
    """Project sheet fields; with partial=True only the keys present are returned."""
    c = _Collector()
    result = {}

    def present(key):
        return not partial or key in data

    if present("priority"):
        value = data.get("priority")
        if value in (None, ""):
            result["priority"] = None
        elif (rank := _whole_number(value)) is None or rank < 1:
            c.add("priority", _("Le rang de priorité est un entier à partir de 1."))
        elif rank > MAX_PRIORITY:
            c.add("priority", _("Le rang de priorité est trop grand."))
        else:
            result["priority"] = rank
    for key, length in (("title", 300), ("pilot", 300)):
        if present(key):
            result[key] = c.text(data, key, key, length)
    for key in ("objectives", "actions", "partners", "indicators"):
        if present(key):
            result[key] = c.text(data, key, key)
    for key in ("start", "end"):
        if present(key):
            result[key] = _clean_date(c, data, key, key)
    if result.get("start") and result.get("end") and result["end"] < result["start"]:
        c.add("end", _("La fin ne peut pas précéder le début."))
    if present("missions"):
        missions = data.get("missions") or []
        if isinstance(missions, list):
            missions = bounded(missions, len(Mission.values), "missions", _("missions"), c.errors)
        if not isinstance(missions, list) or any(m not in Mission.values for m in missions):
            c.add("missions", _("Missions inconnues."))
        else:
            result["missions"] = list(dict.fromkeys(missions))
    if present("swot_items"):
        items = data.get("swot_items") or []
        if isinstance(items, list):
            items = bounded(
                items, 4 * MAX_SWOT_ITEMS, "swot_items", _("éléments AFOM liés"), c.errors
            )
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            c.add("swot_items", _("Liste de textes attendue."))
        else:
            items = [clean_text(i).strip() for i in items]
            result["swot_items"] = [i for i in items if i]
    c.raise_if_any()
    return result


def clean_line(data, *, partial=False, french=False):
    c = _Collector()
    result = {}

    def present(key):
        return not partial or key in data

    if present("label"):
        result["label"] = c.text(data, "label", "label", 300)
    if present("nature"):
        result["nature"] = c.choice(data, "nature", "nature", LineNature) or LineNature.RECURRING
    if present("category"):
        result["category"] = (
            c.choice(data, "category", "category", LineCategory) or LineCategory.OTHER
        )
    if present("staff_profile"):
        result["staff_profile"] = c.text(data, "staff_profile", "staff_profile", 200)
    if present("etp"):
        value = c.decimal(data, "etp", "etp")
        if value is not None and (
            Decimal(value) > Decimal("999.99")
            or Decimal(value) != Decimal(value).quantize(Decimal("0.01"))
        ):
            c.add("etp", _("ETP attendu entre 0 et 999,99, avec au plus deux décimales."))
            value = None
        result["etp"] = value
    if present("amount"):
        value = data.get("amount")
        if value in (None, ""):
            result["amount"] = None
        else:
            try:
                result["amount"] = parse_amount(value, french=french)
            except ValidationError as exc:
                for message in exc.messages:
                    c.add("amount", message)
    if present("first_year"):
        value = data.get("first_year")
        if value in (None, ""):
            result["first_year"] = None
        elif (year := _whole_number(value)) is None or not 2000 <= year <= 2100:
            c.add("first_year", _("Année attendue (par exemple 2025)."))
        else:
            result["first_year"] = year
    if present("beneficiary_finess"):
        value = data.get("beneficiary_finess")
        result["beneficiary_finess"] = c.identifier(value, "beneficiary_finess", validate_finess)
    c.raise_if_any()
    return result


def _locked_project(dossier, user, project_id):
    locked = _lock_for_edit(dossier, user)
    project = locked.projects.filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("Fiche projet introuvable."))
    return locked, project


def create_project(dossier, user, data):
    fields = clean_project(data)
    with transaction.atomic():
        locked = _lock_for_edit(dossier, user)
        if locked.projects.count() >= MAX_PROJECTS:
            message = _("Un dossier compte au plus %(n)d fiches projet.") % {"n": MAX_PROJECTS}
            raise InvalidInput(message, {"projects": [message]})
        if fields.get("priority") is None:
            last = locked.projects.order_by("-priority").values_list("priority", flat=True).first()
            fields["priority"] = (last or 0) + 1
        project = Project.objects.create(dossier=locked, **fields)
        _touch(locked)
    return project


def update_project(dossier, user, project_id, data, *, version=None):
    fields = clean_project(data, partial=True)
    with transaction.atomic():
        locked, project = _locked_project(dossier, user, project_id)
        if version is not None and version != project.version:
            raise Conflict(
                _(
                    "Cette fiche projet a été modifiée par une autre personne pendant que vous la modifiiez. Vos saisies sont conservées : rechargez la page pour voir sa version."
                )
            )
        for key, value in fields.items():
            setattr(project, key, value)
        project.version += 1
        project.save()
        _touch(locked)
    return project


def delete_project(dossier, user, project_id):
    """Delete a project sheet and its lines. Its attachments follow the rule of
    dossiers.domain.attachments.delete_attachment: once the dossier has been submitted,
    they stay stored (hidden, detached from the sheet) because a snapshot lists them;
    before that, their files are deleted with them."""
    with transaction.atomic():
        locked, project = _locked_project(dossier, user, project_id)
        attachments = project.attachments.all()
        if locked.snapshots.exists():
            attachments.filter(removed_at__isnull=True).update(removed_at=timezone.now())
            attachments.update(project=None)
        else:
            stored = [(a.file.storage, a.file.name) for a in attachments if a.file]
            transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])
        project.delete()
        _touch(locked)


def create_line(dossier, user, project_id, data, *, french=False):
    fields = clean_line(data, french=french)
    with transaction.atomic():
        locked, project = _locked_project(dossier, user, project_id)
        if project.lines.count() >= MAX_LINES:
            message = _("Une fiche projet compte au plus %(n)d lignes de financement.") % {
                "n": MAX_LINES
            }
            raise InvalidInput(message, {"lines": [message]})
        line = FundingLine.objects.create(project=project, **fields)
        _touch(locked)
    return line


def update_line(dossier, user, project_id, line_id, data, *, french=False, version=None):
    """Change a funding line. `version`: the line's version the client read (pages and
    API): a Conflict when another editor saved it since, nothing changed."""
    fields = clean_line(data, partial=True, french=french)
    with transaction.atomic():
        locked, project = _locked_project(dossier, user, project_id)
        line = project.lines.select_for_update().filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("Ligne de financement introuvable."))
        if version is not None and version != line.version:
            raise Conflict(
                _(
                    "Cette ligne de financement a été modifiée par une autre personne pendant que vous la modifiiez. Vos saisies sont conservées : rechargez la page pour voir sa version."
                )
            )
        for key, value in fields.items():
            setattr(line, key, value)
        line.version += 1
        line.save()
        _touch(locked)
    return line


def delete_line(dossier, user, project_id, line_id):
    with transaction.atomic():
        locked, project = _locked_project(dossier, user, project_id)
        deleted, _rows = project.lines.filter(pk=line_id).delete()
        if not deleted:
            raise NotFound(_("Ligne de financement introuvable."))
        _touch(locked)
