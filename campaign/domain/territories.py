"""The region's reference territories (health territories), kept by its ARS: added or
corrected one by one, or loaded from a file (`load_campaign`, the territories import of
the region's page, `manage.py load_reference_data`). A territory is never deleted: a
campaign or a filière may cover it."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.domain.setup import check_can_set_up
from campaign.models import Territory
from common.errors import InvalidInput

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,19}")
DEPARTEMENT_RE = re.compile(r"(\d{2}|2A|2B|97\d)")


def clean_territory(code, name, departements, *, errors=None, prefix=""):
    """(code, name, [département codes]); problems go into `errors` (keys prefixed),
    which is raised when not given. `departements`: a list or « 29, 56 »."""
    own = errors is None
    errors = {} if own else errors
    code = str(code or "").strip()
    name = " ".join(str(name or "").split())
    if not code:
        errors.setdefault(f"{prefix}code", []).append(_("Indiquez le code du territoire."))
    elif not CODE_RE.fullmatch(code):
        errors.setdefault(f"{prefix}code", []).append(
            _("Code invalide : lettres, chiffres et tirets, 20 caractères au plus (exemple : T1).")
        )
    if not name:
        errors.setdefault(f"{prefix}name", []).append(_("Indiquez le nom du territoire."))
    elif len(name) > 200:
        errors.setdefault(f"{prefix}name", []).append(
            _("Ce texte dépasse %(n)d caractères.") % {"n": 200}
        )
    if isinstance(departements, str):
        departements = re.split(r"[\s,;]+", departements)
    codes = []
    for item in departements or []:
        value = str(item).strip().upper()
        if not value:
            continue
        if not DEPARTEMENT_RE.fullmatch(value):
            errors.setdefault(f"{prefix}departements", []).append(
                _("« %(code)s » n'est pas un code de département (exemple : 29).") % {"code": value}
            )
        elif value not in codes:
            codes.append(value)
    if not codes and f"{prefix}departements" not in errors:
        errors.setdefault(f"{prefix}departements", []).append(
            _("Indiquez au moins un département.")
        )
    if own and errors:
        raise InvalidInput(_("Le territoire ne peut pas être enregistré."), errors)
    return code, name, codes


def save_territory(region, user, *, code, name, departements):
    """The region's territory of that code, created or updated. Returns (Territory,
    status) with status "created", "updated" or "unchanged"."""
    check_can_set_up(user, region)
    code, name, departements = clean_territory(code, name, departements)
    with transaction.atomic():
        territory = Territory.objects.select_for_update().filter(region=region, code=code).first()
        if territory is None:
            territory = Territory.objects.create(
                region=region, code=code, name=name, departements=departements
            )
            return territory, "created"
        values = {"name": name, "departements": departements}
        changed = [key for key, value in values.items() if getattr(territory, key) != value]
        for key in changed:
            setattr(territory, key, values[key])
        if changed:
            territory.save(update_fields=changed)
        return territory, "updated" if changed else "unchanged"
