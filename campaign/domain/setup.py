"""A campaign's own settings, set up by its region's ARS (docs/decisions/0040): name,
calendar, signatory, appeal court, the territories it covers and the filières that take
part. One function per action; the page, the API and `load_campaign` call the same.

Before publication (draft) everything may change freely. Once published, the calendar
changes only with a reason, recorded in the campaign's history (CampaignEvent) with the
old and new values; an opening already passed cannot move, a deadline cannot be moved
into the past, a territory covered by a taking-part filière stays, and a filière with a
dossier stays. `user=None` is the command line (`manage.py load_campaign`): whoever can
run it has the server."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaign.enums import CampaignAction, CampaignKind, CampaignState
from campaign.models import Campaign, CampaignEvent, Filiere, Territory
from campaign.rules import can_set_up_campaign
from common.errors import Conflict, Forbidden, InvalidInput, NotFound

PARIS = ZoneInfo("Europe/Paris")
END_OF_DAY = dt.time(23, 59, 59)
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_LIMITS = {
    "name": 200,
    "signatory_name": 200,
    "signatory_title": 200,
    "appeal_court": 200,
    "contact_service": 200,
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
}
DATE_FIELDS = ("opens_at", "deadline", "decision_date", "first_delegation_date")
FIELDS = (
    "name",
    "opens_at",
    "deadline",
    "decision_date",
    "first_delegation_date",
    "signatory_name",
    "signatory_title",
    "appeal_court",
    "contact_service",
    "contact_name",
    "contact_email",
    "contact_phone",
    "report_due_date",
)


def check_can_set_up(user, target):
    """Forbidden unless `user` sets up this region's calls (None: the command line)."""
    if user is not None and not can_set_up_campaign.test(user, target):
        raise Forbidden(_("Seuls les administrateurs de la région paramètrent ses campagnes."))


def record(campaign, action, by, changes=None, reason=""):
    """One line of the campaign's append-only history."""
    return CampaignEvent.objects.create(
        campaign=campaign, action=action, by=by, changes=changes or {}, reason=reason or ""
    )


def _shown(value):
    """A value as the history keeps it (JSON): dates ISO, datetimes in Paris time."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, PARIS).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _error(errors, field, message):
    errors.setdefault(field, []).append(message)


def parse_moment(value, field, errors, *, end_of_day=False):
    """An aware datetime from a datetime (naive: Paris time), a date (its first second,
    or its last with `end_of_day`) or an ISO 8601 string (with its offset)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if DATE_RE.fullmatch(text):
                value = dt.date.fromisoformat(text)
            else:
                value = dt.datetime.fromisoformat(text)
                if value.tzinfo is None:
                    _error(
                        errors,
                        field,
                        _("Indiquez le décalage horaire (exemple : 2025-02-14T23:59:59+01:00)."),
                    )
                    return None
        except ValueError:
            _error(errors, field, _("Date attendue au format AAAA-MM-JJ."))
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=PARIS)
    elif isinstance(value, dt.date):
        value = dt.datetime.combine(value, END_OF_DAY if end_of_day else dt.time(0), tzinfo=PARIS)
    else:
        _error(errors, field, _("Date attendue au format AAAA-MM-JJ."))
        return None
    if not 2000 <= value.year <= 2999:
        _error(errors, field, _("Cette date n'est pas plausible."))
        return None
    return value


def parse_day(value, field, errors):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not DATE_RE.fullmatch(text):
            _error(errors, field, _("Date attendue au format AAAA-MM-JJ."))
            return None
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            _error(errors, field, _("Cette date n'existe pas."))
            return None
    if not isinstance(value, dt.date):
        _error(errors, field, _("Date attendue au format AAAA-MM-JJ."))
        return None
    if not 2000 <= value.year <= 2999:
        _error(errors, field, _("Cette date n'est pas plausible."))
        return None
    return value


def clean_text(value, field, errors, *, required=False):
    if value is None:
        value = ""
    if not isinstance(value, str):
        _error(errors, field, _("Texte attendu."))
        return ""
    value = " ".join(value.split())
    if required and not value:
        _error(errors, field, _("Ce champ est obligatoire."))
    elif len(value) > TEXT_LIMITS.get(field, 200):
        _error(errors, field, _("Ce texte dépasse %(n)d caractères.") % {"n": TEXT_LIMITS[field]})
    return value


def clean_settings(data, *, current=None):
    """Validate the settings given in `data` (a subset of FIELDS; the others are those of
    `current`, a Campaign, or absent): the cleaned values, or InvalidInput by field."""
    errors = {}
    cleaned = {}
    for field in FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "opens_at":
            cleaned[field] = parse_moment(value, field, errors)
        elif field == "deadline":
            cleaned[field] = parse_moment(value, field, errors, end_of_day=True)
        elif field in ("decision_date", "first_delegation_date", "report_due_date"):
            cleaned[field] = parse_day(value, field, errors)
        else:
            cleaned[field] = clean_text(value, field, errors, required=field == "name")
            if field == "contact_email" and cleaned[field] and field not in errors:
                try:
                    validate_email(cleaned[field])
                except ValidationError:
                    _error(errors, field, _("Adresse électronique invalide."))
    merged = {f: getattr(current, f) for f in FIELDS} if current is not None else {}
    merged.update(cleaned)
    if current is None:
        for field in ("name", "opens_at", "deadline"):
            if not merged.get(field) and field not in errors:
                _error(errors, field, _("Ce champ est obligatoire."))
    for field in ("opens_at", "deadline"):
        if current is not None and field in data and cleaned.get(field) is None:
            if field not in errors:
                _error(errors, field, _("Ce champ est obligatoire."))
    opens, deadline = merged.get("opens_at"), merged.get("deadline")
    if opens and deadline and deadline <= opens and "deadline" not in errors:
        _error(errors, "deadline", _("La date limite de dépôt doit suivre l'ouverture."))
    decision, delegation = merged.get("decision_date"), merged.get("first_delegation_date")
    if decision and delegation and delegation < decision:
        _error(
            errors,
            "first_delegation_date",
            _("La première délégation ne peut pas précéder la décision."),
        )
    report_due = merged.get("report_due_date")
    if decision and report_due and report_due <= decision and "report_due_date" not in errors:
        _error(
            errors,
            "report_due_date",
            _("Le premier rapport annuel est dû après la décision."),
        )
    if deadline and decision and decision < timezone.localtime(deadline, PARIS).date():
        _error(errors, "decision_date", _("La décision ne peut pas précéder la date limite."))
    if errors:
        raise InvalidInput(_("Certaines informations de la campagne sont invalides."), errors)
    return cleaned


def clean_slug(value, errors):
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        _error(errors, "slug", _("Indiquez l'identifiant de la campagne."))
        return ""
    try:
        validate_slug(value)
    except ValidationError:
        _error(
            errors,
            "slug",
            _(
                "Identifiant invalide : lettres non accentuées, chiffres et tirets, "
                "par exemple « bretagne-2027 »."
            ),
        )
        return ""
    if len(value) > 80:
        _error(errors, "slug", _("Ce texte dépasse %(n)d caractères.") % {"n": 80})
        return ""
    return value


def suggest_slug(region, name):
    """An unused identifier made of the region and the name (« bretagne-appel-2027 »)."""
    base = slugify(name)[:60].strip("-") or "campagne"
    if not base.startswith(region.slug):
        base = f"{region.slug}-{base}"[:70].strip("-")
    candidate, n = base, 1
    while Campaign.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def clean_kind(kind, year, errors):
    """(kind, year): a call (no year needed) or a yearly follow-up (its year required)."""
    kind = kind or CampaignKind.CALL
    if kind not in CampaignKind.values:
        _error(errors, "kind", _("Nature de campagne inconnue (call ou followup)."))
        return CampaignKind.CALL, None
    if year in (None, ""):
        if kind == CampaignKind.FOLLOWUP:
            _error(errors, "year", _("Indiquez l'année suivie."))
        return kind, None
    if isinstance(year, str) and year.strip().isascii() and year.strip().isdigit():
        year = int(year.strip())
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        _error(errors, "year", _("Année attendue, par exemple 2026."))
        return kind, None
    return kind, year


def create_campaign(user, region, *, slug=None, **data):
    """A new call of `region`, in preparation (draft). Returns the Campaign."""
    check_can_set_up(user, region)
    errors = {}
    kind, year = clean_kind(data.pop("kind", None), data.pop("year", None), errors)
    slug = clean_slug(slug, errors) if slug else suggest_slug(region, data.get("name") or "")
    try:
        cleaned = clean_settings(data)
    except InvalidInput as exc:
        errors.update(exc.errors)
        cleaned = {}
    if slug and Campaign.objects.filter(slug=slug).exists():
        _error(errors, "slug", _("L'identifiant « %(slug)s » est déjà utilisé.") % {"slug": slug})
    if errors:
        raise InvalidInput(_("Certaines informations de la campagne sont invalides."), errors)
    if not cleaned.get("signatory_title"):
        cleaned.pop("signatory_title", None)  # the model's default title
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                slug=slug, region=region, kind=kind, year=year, **cleaned
            )
            record(campaign, CampaignAction.CREATED, user)
    except IntegrityError:
        raise Conflict(
            _("L'identifiant « %(slug)s » vient d'être utilisé : réessayez.") % {"slug": slug}
        ) from None
    return campaign


def update_campaign(campaign, user, data, *, reason="", now=None):
    """Change the campaign's settings named in `data`. After publication a change of
    its calendar needs a `reason`, kept in its history. Returns {field: [old, new]}."""
    check_can_set_up(user, campaign)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        cleaned = clean_settings(data, current=locked)
        if "signatory_title" in cleaned and not cleaned["signatory_title"]:
            cleaned["signatory_title"] = Campaign._meta.get_field("signatory_title").get_default()
        changes = {
            field: [getattr(locked, field), value]
            for field, value in cleaned.items()
            if getattr(locked, field) != value
        }
        if not changes:
            return {}
        dates = [field for field in changes if field in DATE_FIELDS]
        reason = " ".join(str(reason or "").split())
        if dates and not locked.is_draft:
            _check_calendar_change(locked, changes, reason, now)
        for field, (_old, new) in changes.items():
            setattr(locked, field, new)
        locked.save(update_fields=list(changes))
        shown = {field: [_shown(old), _shown(new)] for field, (old, new) in changes.items()}
        if dates and not locked.is_draft:
            record(locked, CampaignAction.DATES_CHANGED, user, shown, reason)
        else:
            record(locked, CampaignAction.UPDATED, user, shown, reason)
    for field, (_old, new) in changes.items():
        setattr(campaign, field, new)
    return changes


def _check_calendar_change(campaign, changes, reason, now):
    errors = {}
    if not reason:
        _error(
            errors,
            "reason",
            _("La campagne est publiée : indiquez le motif du changement de calendrier."),
        )
    elif len(reason) > 2000:
        _error(errors, "reason", _("Ce texte dépasse %(n)d caractères.") % {"n": 2000})
    if "opens_at" in changes and changes["opens_at"][0] <= now:
        _error(
            errors,
            "opens_at",
            _("L'appel est déjà ouvert : sa date d'ouverture ne peut plus changer."),
        )
    if "deadline" in changes:
        new = changes["deadline"][1]
        if campaign.state == CampaignState.CLOSED:
            _error(errors, "deadline", _("La campagne est close : sa date limite ne change plus."))
        elif new < now:
            _error(
                errors,
                "deadline",
                _(
                    "Une date limite ne peut pas être reportée dans le passé ; une filière "
                    "en retard reçoit une prolongation individuelle."
                ),
            )
    if errors:
        raise InvalidInput(_("Ce changement de calendrier est refusé."), errors)


# ----------------------------------------------------------------------------- territories


def set_territories(campaign, user, territories, *, reason=""):
    """The reference territories of the region the campaign covers (Territory objects or
    codes). After publication, a territory covered by a taking-part filière stays."""
    check_can_set_up(user, campaign)
    region_territories = {t.code: t for t in campaign.region.territories.all()}
    wanted, unknown = set(), []
    for item in territories:
        code = item.code if isinstance(item, Territory) else str(item).strip()
        territory = region_territories.get(code)
        if territory is None or (isinstance(item, Territory) and item.pk != territory.pk):
            unknown.append(code)
        else:
            wanted.add(territory.pk)
    if unknown:
        message = _("Territoire inconnu de la région : %(codes)s.") % {"codes": ", ".join(unknown)}
        raise InvalidInput(message, {"territories": [message]})
    if not wanted:
        message = _("Choisissez au moins un territoire.")
        raise InvalidInput(message, {"territories": [message]})
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        current = set(campaign.territories.values_list("pk", flat=True))
        removed, added = current - wanted, wanted - current
        if not campaign.is_draft and removed:
            used = Territory.objects.filter(pk__in=removed, filieres__campaigns=campaign).distinct()
            if used:
                names = ", ".join(sorted(t.code for t in used))
                message = _(
                    "Territoires couverts par des filières de la campagne, qui ne peuvent plus "
                    "être retirés : %(codes)s."
                ) % {"codes": names}
                raise Conflict(message, {"territories": [message]})
        if not removed and not added:
            return False
        campaign.territories.remove(*removed)
        campaign.territories.add(*added)
        codes = {t.pk: t.code for t in region_territories.values()}
        record(
            campaign,
            CampaignAction.TERRITORIES,
            user,
            {
                "added": sorted(codes[pk] for pk in added),
                "removed": sorted(codes[pk] for pk in removed),
            },
            reason,
        )
    return True


# ----------------------------------------------------------------------------- filières


def clean_filiere(campaign, *, name, slug=None, territories=(), errors=None, prefix=""):
    """Validated (name, slug, [Territory]) of a filière of the campaign; problems go into
    `errors` (keys prefixed by `prefix`), which is raised when not given."""
    own = errors is None
    errors = {} if own else errors
    name = " ".join(str(name or "").split())
    if not name:
        _error(errors, f"{prefix}name", _("Indiquez le nom de la filière."))
    elif len(name) > 200:
        _error(errors, f"{prefix}name", _("Ce texte dépasse %(n)d caractères.") % {"n": 200})
    if slug:
        slug = str(slug).strip()
        try:
            validate_slug(slug)
        except ValidationError:
            _error(errors, f"{prefix}slug", _("Identifiant invalide (exemple : nord-finistere)."))
    else:
        slug = slugify(name)[:80].strip("-")
    covered = {t.code: t for t in campaign.territories.all()}
    if territories is None:
        # The command line's « territories » left out: the filière's stay as they are.
        if own and errors:
            raise InvalidInput(_("La filière ne peut pas être enregistrée."), errors)
        return name, slug, None
    chosen, unknown = [], []
    for item in territories or ():
        code = item.code if isinstance(item, Territory) else str(item).strip()
        if code in covered:
            if covered[code] not in chosen:
                chosen.append(covered[code])
        elif code:
            unknown.append(code)
    if unknown:
        _error(
            errors,
            f"{prefix}territories",
            _("Territoire inconnu de la campagne : %(codes)s (territoires : %(known)s).")
            % {"codes": ", ".join(unknown), "known": ", ".join(sorted(covered)) or "aucun"},
        )
    elif not chosen:
        _error(errors, f"{prefix}territories", _("Indiquez au moins un territoire."))
    if own and errors:
        raise InvalidInput(_("La filière ne peut pas être enregistrée."), errors)
    return name, slug, chosen


def add_filiere(campaign, user, *, name, slug=None, territories=(), record_event=True):
    """The region's filière of that slug (or a new one) takes part in the campaign,
    covering `territories` (codes or Territory objects of the campaign). Returns
    (Filiere, created)."""
    check_can_set_up(user, campaign)
    name, slug, chosen = clean_filiere(campaign, name=name, slug=slug, territories=territories)
    if campaign.state == CampaignState.CLOSED:
        raise Conflict(_("La campagne est close : aucune filière ne peut plus s'y ajouter."))
    with transaction.atomic():
        filiere = (
            Filiere.objects.select_for_update().filter(region=campaign.region, slug=slug).first()
        )
        created = filiere is None
        if created:
            filiere = Filiere.objects.create(region=campaign.region, slug=slug, name=name)
        elif filiere.name != name:
            filiere.name = name
            filiere.save(update_fields=["name"])
        if chosen is not None:
            filiere.territories.set(chosen)
        already = campaign.filieres.filter(pk=filiere.pk).exists()
        campaign.filieres.add(filiere)
        if record_event and not already:
            codes = sorted(filiere.territories.values_list("code", flat=True))
            record(
                campaign,
                CampaignAction.FILIERE_ADDED,
                user,
                {"filiere": filiere.slug, "name": filiere.name, "territories": codes},
            )
    return filiere, created


def update_filiere(campaign, filiere, user, *, name, territories):
    """Rename a filière taking part in the campaign or change its territories."""
    check_can_set_up(user, campaign)
    if not campaign.filieres.filter(pk=filiere.pk).exists():
        raise NotFound(_("Filière introuvable."))
    name, _slug, chosen = clean_filiere(
        campaign, name=name, slug=filiere.slug, territories=territories
    )
    with transaction.atomic():
        before = sorted(filiere.territories.values_list("code", flat=True))
        changes = {}
        if filiere.name != name:
            changes["name"] = [filiere.name, name]
            filiere.name = name
            filiere.save(update_fields=["name"])
        after = sorted(t.code for t in chosen)
        if before != after:
            changes["territories"] = [before, after]
            filiere.territories.set(chosen)
        if changes:
            record(campaign, CampaignAction.UPDATED, user, {"filiere": filiere.slug, **changes})
    return filiere


def remove_filiere(campaign, filiere, user):
    """The filière no longer takes part in the campaign (it stays in its region). Refused
    once it has a dossier in this campaign."""
    check_can_set_up(user, campaign)
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.filieres.filter(pk=filiere.pk).exists():
            raise NotFound(_("Filière introuvable."))
        if campaign.dossiers.filter(filiere=filiere).exists():
            raise Conflict(
                _("« %(name)s » a déjà un dossier dans cette campagne : elle y reste.")
                % {"name": filiere.name}
            )
        campaign.filieres.remove(filiere)
        record(campaign, CampaignAction.FILIERE_REMOVED, user, {"filiere": filiere.slug})
