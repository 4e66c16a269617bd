"""The scoring grid of a campaign.

One integer scale (by default 0 to 4) shared by every criterion; each
criterion has a Decimal weight. The grid is created with the nine default
criteria on first use and can be edited by an administrator until the first
review of the campaign is submitted: after that, changing it would make the
submitted scores incomparable."""

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import Conflict, Forbidden, InvalidInput
from common.text import clean_text
from scoring.models import Criterion, CriterionGroup, Grid, Review
from scoring.rules import can_edit_grid

DEFAULT_SCALE = (0, 4)
SCALE_LIMIT = 100
WEIGHT_LIMIT = Decimal("100")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# (code, label, group, weight): the four analysis bases weigh twice the five
# guiding principles of the instruction of 21 June 2023.
DEFAULT_CRITERIA = [
    (
        "diagnostic_quality",
        gettext_lazy("Qualité du diagnostic territorial"),
        CriterionGroup.ANALYSIS_BASIS,
        Decimal("2.00"),
    ),
    (
        "instruction_compliance",
        gettext_lazy("Conformité à l'instruction du 21 juin 2023"),
        CriterionGroup.ANALYSIS_BASIS,
        Decimal("2.00"),
    ),
    (
        "call_compliance",
        gettext_lazy("Conformité au cahier des charges de l'appel à candidatures"),
        CriterionGroup.ANALYSIS_BASIS,
        Decimal("2.00"),
    ),
    (
        "operational_capacity",
        gettext_lazy("Capacité opérationnelle du projet"),
        CriterionGroup.ANALYSIS_BASIS,
        Decimal("2.00"),
    ),
    (
        "equal_access",
        gettext_lazy("Égalité d'accès aux soins palliatifs sur tout le territoire"),
        CriterionGroup.GUIDING_PRINCIPLE,
        Decimal("1.00"),
    ),
    (
        "patient_wishes_home_care",
        gettext_lazy("Respect des souhaits des patients et maintien à domicile"),
        CriterionGroup.GUIDING_PRINCIPLE,
        Decimal("1.00"),
    ),
    (
        "early_palliative_care",
        gettext_lazy("Démarche palliative précoce"),
        CriterionGroup.GUIDING_PRINCIPLE,
        Decimal("1.00"),
    ),
    (
        "access_to_expertise",
        gettext_lazy("Accès à l'expertise en soins palliatifs"),
        CriterionGroup.GUIDING_PRINCIPLE,
        Decimal("1.00"),
    ),
    (
        "public_information",
        gettext_lazy("Information du public"),
        CriterionGroup.GUIDING_PRINCIPLE,
        Decimal("1.00"),
    ),
]


def get_grid(campaign):
    """The campaign's grid (campaign or its id), created with the default criteria on first use."""
    campaign_id = getattr(campaign, "pk", campaign)
    grid = Grid.objects.filter(campaign_id=campaign_id).first()
    if grid is not None:
        return grid
    try:
        with transaction.atomic():
            grid = Grid.objects.create(
                campaign_id=campaign_id, scale_min=DEFAULT_SCALE[0], scale_max=DEFAULT_SCALE[1]
            )
            Criterion.objects.bulk_create(
                Criterion(
                    grid=grid,
                    code=code,
                    label=str(label),
                    group=group,
                    weight=weight,
                    position=index + 1,
                )
                for index, (code, label, group, weight) in enumerate(DEFAULT_CRITERIA)
            )
    except IntegrityError:
        # Someone else created it at the same moment.
        grid = Grid.objects.get(campaign_id=campaign_id)
    return grid


def grid_criteria(grid):
    return list(grid.criteria.order_by("position", "id"))


def grid_and_criteria(campaign):
    """(get_grid(campaign), grid_criteria(grid)) in one query once the grid exists (a
    grid always has a criterion: clean_grid refuses none)."""
    campaign_id = getattr(campaign, "pk", campaign)
    criteria = list(
        Criterion.objects.filter(grid__campaign_id=campaign_id)
        .select_related("grid")
        .order_by("position", "id")
    )
    if not criteria:
        grid = get_grid(campaign_id)
        return grid, grid_criteria(grid)
    grid = criteria[0].grid
    for criterion in criteria:
        criterion.grid = grid  # one grid object, as grid.criteria gives
    return grid, criteria


def is_locked(grid):
    """True once a review of the campaign has been submitted."""
    return Review.objects.filter(
        dossier__campaign_id=grid.campaign_id, submitted_at__isnull=False
    ).exists()


def _parse_int(value, path, errors):
    if isinstance(value, bool):
        errors.setdefault(path, []).append(_("Nombre entier attendu."))
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        errors.setdefault(path, []).append(_("Nombre entier attendu."))
        return None
    if not 0 <= value <= SCALE_LIMIT:
        errors.setdefault(path, []).append(
            _("La valeur doit être comprise entre 0 et %(n)d.") % {"n": SCALE_LIMIT}
        )
        return None
    return value


def _parse_weight(value, path, errors):
    if isinstance(value, (bool, float)) or value in (None, ""):
        errors.setdefault(path, []).append(_("Coefficient attendu, par exemple « 2 » ou « 1,5 »."))
        return None
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.setdefault(path, []).append(_("Coefficient attendu, par exemple « 2 » ou « 1,5 »."))
        return None
    if not weight.is_finite() or weight <= 0 or weight > WEIGHT_LIMIT:
        errors.setdefault(path, []).append(
            _("Le coefficient doit être strictement positif et au plus %(n)s.")
            % {"n": WEIGHT_LIMIT}
        )
        return None
    if weight != weight.quantize(Decimal("0.01")):
        errors.setdefault(path, []).append(_("Le coefficient a au plus deux décimales."))
        return None
    return weight.quantize(Decimal("0.01"))


def clean_grid(grid, scale_min, scale_max, criteria):
    """Validate a whole grid; return (min, max, [criterion dicts]) or raise InvalidInput."""
    errors = {}
    low = _parse_int(scale_min, "scale_min", errors)
    high = _parse_int(scale_max, "scale_max", errors)
    if low is not None and high is not None and low >= high:
        errors.setdefault("scale_max", []).append(
            _("La note maximale doit être supérieure à la note minimale.")
        )
    existing = {c.id: c for c in grid.criteria.all()}
    cleaned = []
    seen_codes = {}
    if not criteria:
        errors.setdefault("criteria", []).append(_("La grille doit avoir au moins un critère."))
    for index, item in enumerate(criteria or []):
        path = f"criteria.{index}"
        criterion_id = item.get("id")
        if criterion_id is not None and criterion_id not in existing:
            errors.setdefault(f"{path}.id", []).append(_("Critère inconnu dans cette grille."))
            continue
        code = clean_text(item.get("code") or "").strip()
        if not CODE_PATTERN.match(code):
            errors.setdefault(f"{path}.code", []).append(
                _(
                    "Code attendu en minuscules, chiffres et « _ », commençant par une lettre "
                    "(par exemple « diagnostic_quality »)."
                )
            )
        elif code in seen_codes:
            errors.setdefault(f"{path}.code", []).append(
                _("Le code « %(code)s » est déjà utilisé par un autre critère.") % {"code": code}
            )
        seen_codes[code] = index
        label = clean_text(item.get("label") or "").strip()
        if not label:
            errors.setdefault(f"{path}.label", []).append(_("Indiquez le libellé du critère."))
        elif len(label) > 300:
            errors.setdefault(f"{path}.label", []).append(_("Le libellé dépasse 300 caractères."))
        group = item.get("group") or CriterionGroup.ANALYSIS_BASIS
        if group not in CriterionGroup.values:
            errors.setdefault(f"{path}.group", []).append(_("Famille de critère inconnue."))
        weight = _parse_weight(item.get("weight"), f"{path}.weight", errors)
        cleaned.append(
            {
                "id": criterion_id,
                "code": code,
                "label": label,
                "description": clean_text(item.get("description") or "").strip(),
                "group": group,
                "weight": weight,
                "position": index + 1,
            }
        )
    if errors:
        raise InvalidInput(
            _("La grille contient des erreurs : corrigez les points signalés."), errors
        )
    return low, high, cleaned


def copy_grid(campaign, user, source):
    """Replace the campaign's grid by a copy of `source`'s (a campaign of the same
    region, typically the previous call): scale and criteria. Same rules as update_grid."""
    if source.region_id != campaign.region_id or source.pk == campaign.pk:
        raise InvalidInput(
            _("Choisissez une autre campagne de la même région."),
            {"source": [_("Choisissez une autre campagne de la même région.")]},
        )
    source_grid = get_grid(source)
    current = {c.code: c.id for c in get_grid(campaign).criteria.all()}
    criteria = [
        {
            "id": current.get(c.code),
            "code": c.code,
            "label": c.label,
            "description": c.description,
            "group": c.group,
            "weight": c.weight,
        }
        for c in grid_criteria(source_grid)
    ]
    return update_grid(
        campaign,
        user,
        scale_min=source_grid.scale_min,
        scale_max=source_grid.scale_max,
        criteria=criteria,
    )


def update_grid(campaign, user, *, scale_min, scale_max, criteria):
    """Replace the campaign's grid (scale and criteria, in the given order).

    `criteria`: [{id?, code, label, description?, group, weight}]; criteria of
    the grid missing from the list are deleted. Refused once a review of the
    campaign has been submitted."""
    if not can_edit_grid.test(user, campaign):
        raise Forbidden(_("Seul un administrateur peut modifier la grille d'évaluation."))
    grid = get_grid(campaign)
    with transaction.atomic():
        # Submitting a review locks the same row: the check below cannot race it.
        grid = Grid.objects.select_for_update().get(pk=grid.pk)
        if is_locked(grid):
            raise Conflict(
                _(
                    "La grille est verrouillée : une évaluation a déjà été soumise pour cette "
                    "campagne, la modifier rendrait les notes incomparables."
                )
            )
        low, high, cleaned = clean_grid(grid, scale_min, scale_max, criteria)
        kept = {item["id"] for item in cleaned if item["id"] is not None}
        grid.criteria.exclude(id__in=kept).delete()
        # Free the codes first so that two criteria may swap theirs.
        for criterion in grid.criteria.all():
            Criterion.objects.filter(pk=criterion.pk).update(code=f"tmp-{criterion.pk}")
        for item in cleaned:
            fields = {k: v for k, v in item.items() if k != "id"}
            if item["id"] is None:
                Criterion.objects.create(grid=grid, **fields)
            else:
                Criterion.objects.filter(pk=item["id"], grid=grid).update(**fields)
        grid.scale_min, grid.scale_max = low, high
        grid.updated_at = timezone.now()
        grid.updated_by = user
        grid.save()
    return grid
