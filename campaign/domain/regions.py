"""A region's own settings and reference data, kept by its ARS in the interface: its
agency's name, appeal court and notification mailboxes, its coordination cell
(CAR'sp). The 18 regions themselves are reference data (campaign/data/regions.json)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.domain.setup import check_can_set_up
from campaign.models import CoordinationCell, Region
from common.errors import InvalidInput

TEXT_LIMIT = 200


def _text(value, field, errors, *, limit=TEXT_LIMIT, multiline=False):
    value = str(value or "")
    value = value.strip() if multiline else " ".join(value.split())
    if len(value) > limit:
        errors.setdefault(field, []).append(_("Ce texte dépasse %(n)d caractères.") % {"n": limit})
    return value


def _emails(values, field, errors):
    if isinstance(values, str):
        values = values.replace(";", ",").replace("\n", ",").split(",")
    cleaned = []
    for value in values or []:
        value = str(value).strip()
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            errors.setdefault(field, []).append(
                _("« %(value)s » n'est pas une adresse électronique.") % {"value": value}
            )
            continue
        if value.lower() not in {v.lower() for v in cleaned}:
            cleaned.append(value)
    if len(cleaned) > 20:
        errors.setdefault(field, []).append(_("Au plus 20 adresses."))
    return cleaned


def update_region(region, user, **data):
    """The region's agency name, appeal court and notification mailboxes (those given)."""
    check_can_set_up(user, region)
    errors = {}
    values = {}
    for field in ("agency_name", "appeal_court"):
        if field in data:
            values[field] = _text(data[field], field, errors)
    if "notification_emails" in data:
        values["notification_emails"] = _emails(
            data["notification_emails"], "notification_emails", errors
        )
    if errors:
        raise InvalidInput(_("Certaines informations de la région sont invalides."), errors)
    with transaction.atomic():
        locked = Region.objects.select_for_update().get(pk=region.pk)
        changed = [key for key, value in values.items() if getattr(locked, key) != value]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.save(update_fields=changed)
    for key in changed:
        setattr(region, key, values[key])
    return changed


def save_cell(region, user, **data):
    """The region's coordination cell (created at first use): what its page shows."""
    check_can_set_up(user, region)
    errors = {}
    values = {
        "acronym": _text(data.get("acronym"), "acronym", errors, limit=60),
        "name": _text(data.get("name"), "name", errors),
        "carrier": _text(data.get("carrier"), "carrier", errors, limit=300),
        "founded": _text(data.get("founded"), "founded", errors, limit=100),
        "description": _text(
            data.get("description"), "description", errors, limit=5000, multiline=True
        ),
        "emails": _emails(data.get("emails"), "emails", errors),
        "phone": _text(data.get("phone"), "phone", errors, limit=40),
        "website": _text(data.get("website"), "website", errors),
    }
    if not values["acronym"]:
        errors.setdefault("acronym", []).append(_("Indiquez le sigle de la cellule."))
    if values["website"]:
        try:
            URLValidator(schemes=["https", "http"])(values["website"])
        except ValidationError:
            errors.setdefault("website", []).append(
                _("Adresse de site invalide (exemple : https://www.exemple.fr).")
            )
    contacts = []
    for index, item in enumerate(data.get("contacts") or []):
        contact = {
            key: _text(item.get(key), f"contacts.{index}.{key}", errors)
            for key in ("name", "role", "email", "phone")
        }
        if not any(contact.values()):
            continue
        if contact["email"]:
            _emails([contact["email"]], f"contacts.{index}.email", errors)
        contacts.append(contact)
    values["contacts"] = contacts
    if errors:
        raise InvalidInput(_("Certaines informations de la cellule sont invalides."), errors)
    with transaction.atomic():
        cell, _created = CoordinationCell.objects.select_for_update().get_or_create(
            region=region, defaults=values
        )
        for key, value in values.items():
            setattr(cell, key, value)
        cell.save()
    return cell
