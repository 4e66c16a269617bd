"""`load_campaign` accepts a follow-up campaign (api.md "Commands": `"kind": "followup"`)."""

import pytest

from accounts.models import Role
from campaign.enums import CampaignKind, CampaignState
from campaign.models import Campaign
from followup.models import Report
from setup.loading import CampaignFileError, load_campaign

pytestmark = pytest.mark.django_db


def followup_file(**changes):
    data = {
        "slug": "bretagne-suivi-2026",
        "name": "Suivi annuel 2026 des filières reconnues",
        "kind": "followup",
        "region": "Bretagne",
        "year": 2026,
        "opens_at": "2026-01-05T00:00:00+01:00",
        "deadline": "2099-04-30T23:59:59+02:00",
        "users": [
            {
                "username": "porteur-suivi",
                "email": "porteur-suivi@example.fr",
                "password": "motdepasse-solide-2026",
                "roles": ["filiere_lead"],
                "filieres": ["nord-finistere"],
            }
        ],
    }
    data.update(changes)
    return data


def test_followup_file_opens_the_reports_of_recognised_filieres(recognised):
    report = load_campaign(followup_file())
    campaign = Campaign.objects.get(slug="bretagne-suivi-2026")
    assert report.campaign == campaign
    assert campaign.kind == CampaignKind.FOLLOWUP and campaign.year == 2026
    assert campaign.state == CampaignState.PUBLISHED
    assert list(Report.objects.filter(campaign=campaign).values_list("filiere", flat=True)) == [
        recognised.filiere_id
    ]
    user = campaign.region.filieres.get(slug="nord-finistere").editors.get(username="porteur-suivi")
    assert user.role_grants.filter(role=Role.FILIERE_LEAD).exists()
    # Idempotent.
    load_campaign(followup_file())
    assert Report.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"envelopes": {"recurring": "1.00"}}, "envelopes"),
        ({"filieres": []}, "filieres"),
        ({"year": "2026"}, "year"),
        ({"kind": "survey"}, "kind"),
        ({"year": None}, "year"),
    ],
)
def test_invalid_followup_file_is_refused_whole(recognised, changes, expected):
    data = followup_file(**changes)
    if changes.get("year", 0) is None:
        del data["year"]
    with pytest.raises(CampaignFileError) as exc:
        load_campaign(data)
    assert any(expected in problem for problem in exc.value.problems), exc.value.problems
    assert not Campaign.objects.filter(slug="bretagne-suivi-2026").exists()
