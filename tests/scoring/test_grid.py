from decimal import Decimal

import pytest

from common.errors import Conflict, Forbidden, InvalidInput
from scoring.domain.assignments import assign_reviewer
from scoring.domain.grid import get_grid, grid_criteria, is_locked, update_grid
from scoring.domain.reviews import save_review
from scoring.models import Criterion, Grid
from tests.scoring.helpers import full_scores


def _items(grid):
    return [
        {
            "id": c.id,
            "code": c.code,
            "label": c.label,
            "group": c.group,
            "weight": c.weight,
        }
        for c in grid_criteria(grid)
    ]


def test_default_grid_has_the_nine_criteria_of_the_brief(campaign):
    grid = get_grid(campaign)
    criteria = grid_criteria(grid)
    assert (grid.scale_min, grid.scale_max) == (0, 4)
    assert [c.code for c in criteria] == [
        "diagnostic_quality",
        "instruction_compliance",
        "call_compliance",
        "operational_capacity",
        "equal_access",
        "patient_wishes_home_care",
        "early_palliative_care",
        "access_to_expertise",
        "public_information",
    ]
    assert [c.group for c in criteria] == ["analysis_basis"] * 4 + ["guiding_principle"] * 5
    assert criteria[1].label == "Conformité à l'instruction du 21 juin 2023"
    assert sum(c.weight for c in criteria) == Decimal("13.00")
    # Created once.
    assert get_grid(campaign).pk == grid.pk
    assert Grid.objects.count() == 1 and Criterion.objects.count() == 9


def test_admin_edits_scale_weights_and_criteria(campaign, admin_user):
    grid = get_grid(campaign)
    items = _items(grid)
    items[0]["weight"] = "3,5"
    items[1]["label"] = "Respect de l'instruction DGOS"
    del items[8]
    items.append({"code": "territorial_coverage", "label": "Couverture", "weight": "1"})
    update_grid(campaign, admin_user, scale_min=1, scale_max=5, criteria=items)
    grid.refresh_from_db()
    criteria = grid_criteria(grid)
    assert (grid.scale_min, grid.scale_max) == (1, 5)
    assert criteria[0].weight == Decimal("3.50")
    assert criteria[1].label == "Respect de l'instruction DGOS"
    assert [c.code for c in criteria][-1] == "territorial_coverage"
    assert "public_information" not in [c.code for c in criteria]
    assert grid.updated_by == admin_user


def test_codes_can_be_swapped(campaign, admin_user):
    items = _items(get_grid(campaign))
    items[0]["code"], items[1]["code"] = items[1]["code"], items[0]["code"]
    update_grid(campaign, admin_user, scale_min=0, scale_max=4, criteria=items)
    assert [c.code for c in grid_criteria(get_grid(campaign))][:2] == [
        "instruction_compliance",
        "diagnostic_quality",
    ]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda items: items[0].update(weight="0"), "criteria.0.weight"),
        (lambda items: items[0].update(weight="-1"), "criteria.0.weight"),
        (lambda items: items[0].update(weight="1.234"), "criteria.0.weight"),
        (lambda items: items[0].update(weight="beaucoup"), "criteria.0.weight"),
        (lambda items: items[0].update(code="Mauvais Code"), "criteria.0.code"),
        (lambda items: items[1].update(code="diagnostic_quality"), "criteria.1.code"),
        (lambda items: items[2].update(label=" "), "criteria.2.label"),
        (lambda items: items[2].update(group="autre"), "criteria.2.group"),
        (lambda items: items.clear(), "criteria"),
    ],
)
def test_invalid_grid_is_refused_with_every_problem(campaign, admin_user, change, path):
    items = _items(get_grid(campaign))
    change(items)
    with pytest.raises(InvalidInput) as exc:
        update_grid(campaign, admin_user, scale_min=0, scale_max=4, criteria=items)
    assert path in exc.value.errors
    assert exc.value.status == 400


def test_scale_must_go_up(campaign, admin_user):
    with pytest.raises(InvalidInput) as exc:
        update_grid(
            campaign, admin_user, scale_min=4, scale_max=4, criteria=_items(get_grid(campaign))
        )
    assert exc.value.errors["scale_max"] == [
        "La note maximale doit être supérieure à la note minimale."
    ]


@pytest.mark.parametrize("role", ["lead", "caresp", "instructor", "decider", "outsider"])
def test_only_the_administrator_edits_the_grid(request, campaign, role):
    user = request.getfixturevalue(role)
    with pytest.raises(Forbidden):
        update_grid(campaign, user, scale_min=0, scale_max=4, criteria=_items(get_grid(campaign)))


def test_grid_is_locked_once_a_review_is_submitted(
    campaign, admin_user, in_review, instructor, caresp
):
    assign_reviewer(in_review, instructor, caresp)
    grid = get_grid(campaign)
    # A draft does not lock.
    save_review(in_review, caresp, {"scores": {"diagnostic_quality": 2}})
    assert not is_locked(grid)
    update_grid(campaign, admin_user, scale_min=0, scale_max=4, criteria=_items(grid))
    save_review(
        in_review,
        caresp,
        {"scores": full_scores(campaign, 2), "opinion": "reserved"},
        submit=True,
    )
    assert is_locked(grid)
    with pytest.raises(Conflict) as exc:
        update_grid(campaign, admin_user, scale_min=0, scale_max=10, criteria=_items(grid))
    assert "verrouillée" in exc.value.message
    grid.refresh_from_db()
    assert grid.scale_max == 4
