"""Who may open each page of the applicant's journey, in each state of the dossier."""

import pytest
from django.urls import reverse

from tests.dossiers.conftest import ROLES

EDITING_PAGES = [
    ("dossiers:edit", ()),
    ("dossiers:section", ("identity",)),
    ("dossiers:section", ("diagnostic",)),
    ("dossiers:section", ("swot",)),
    ("dossiers:check", ()),
]


def url(name, dossier, extra=()):
    return reverse(name, args=[dossier.pk, *extra])


def login_url(target):
    return f"{reverse('accounts:login')}?next={target}"


# Drafts: only the filière's editors know they exist.
DRAFT_EXPECTED = {
    "lead": 200,
    "co_editor": 200,
    "other_lead": 404,
    "caresp": 404,
    "instructor": 404,
    "decider": 404,
    "admin_user": 404,
    "outsider": 404,
}
# Returned for completion: editable by the editors; staff see it but may not edit it.
RETURNED_EXPECTED = {
    **DRAFT_EXPECTED,
    "caresp": 403,
    "instructor": 403,
    "decider": 403,
    "admin_user": 403,
}


@pytest.mark.parametrize("name,extra", EDITING_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_editing_pages_on_a_draft(client, as_role, draft, name, extra, role):
    as_role(role)
    response = client.get(url(name, draft, extra))
    assert response.status_code == DRAFT_EXPECTED[role]


@pytest.mark.parametrize("name,extra", EDITING_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_editing_pages_on_a_returned_dossier(client, as_role, returned, name, extra, role):
    as_role(role)
    response = client.get(url(name, returned, extra))
    assert response.status_code == RETURNED_EXPECTED[role]
    if response.status_code == 403:
        assert "Seuls les porteurs de la filière peuvent modifier ce dossier." in (
            response.content.decode()
        )


@pytest.mark.parametrize("name,extra", EDITING_PAGES)
def test_editing_pages_send_editors_to_the_read_only_page_once_submitted(
    client, as_role, submitted, name, extra
):
    as_role("lead")
    response = client.get(url(name, submitted, extra), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dossiers:detail", args=[submitted.pk])
    assert "Le dossier est « Déposé » : il ne peut plus être modifié." in (
        response.content.decode()
    )


@pytest.mark.parametrize("role", ["caresp", "instructor", "decider", "admin_user"])
@pytest.mark.parametrize("name,extra", EDITING_PAGES)
def test_staff_may_not_edit_a_submitted_dossier(client, as_role, submitted, name, extra, role):
    as_role(role)
    assert client.get(url(name, submitted, extra)).status_code == 403
    if name == "dossiers:section":
        response = client.post(url(name, submitted, extra), {"fingerprint": "x"})
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["other_lead", "outsider"])
@pytest.mark.parametrize("name,extra", EDITING_PAGES)
def test_others_do_not_learn_a_submitted_dossier_exists(
    client, as_role, submitted, name, extra, role
):
    as_role(role)
    assert client.get(url(name, submitted, extra)).status_code == 404


@pytest.mark.parametrize(
    "name,extra",
    [
        *EDITING_PAGES,
        ("dossiers:transition", ("submit",)),
        ("dossiers:invite", ()),
    ],
)
def test_anonymous_is_sent_to_login(client, draft, name, extra):
    target = url(name, draft, extra)
    response = client.get(target)
    assert response.status_code == 302
    assert response.url == login_url(target)
    response = client.post(target, {})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_unknown_section_is_404(client, as_role, draft):
    as_role("lead")
    assert client.get(f"/dossiers/{draft.pk}/rediger/projets-inconnus/").status_code == 404
    assert client.get(f"/dossiers/{draft.pk}/rediger/budget/").status_code == 404


def test_unknown_dossier_is_404(client, as_role, db):
    as_role("lead")
    assert client.get(reverse("dossiers:edit", args=[999999])).status_code == 404


# Transition page, as the dossier moves on.
@pytest.mark.parametrize(
    "role,expected",
    [
        ("lead", 200),
        ("co_editor", 200),
        ("other_lead", 404),
        ("caresp", 404),
        ("instructor", 404),
        ("decider", 404),
        ("admin_user", 404),
        ("outsider", 404),
    ],
)
def test_submit_page_on_a_draft(client, as_role, complete, role, expected):
    as_role(role)
    assert client.get(url("dossiers:transition", complete, ("submit",))).status_code == expected


@pytest.mark.parametrize(
    "role,expected",
    [
        ("lead", 403),
        ("co_editor", 403),
        ("other_lead", 404),
        ("caresp", 403),
        ("instructor", 200),
        ("decider", 403),
        ("admin_user", 403),
        ("outsider", 404),
    ],
)
def test_start_review_page_on_a_submitted_dossier(client, as_role, submitted, role, expected):
    as_role(role)
    response = client.get(url("dossiers:transition", submitted, ("start_caresp_review",)))
    assert response.status_code == expected
    if expected == 403:
        assert "Vous n&#x27;avez pas le droit d&#x27;effectuer cette action." in (
            response.content.decode()
        )


@pytest.mark.parametrize("name", ["decide", "publish", "state"])
def test_unknown_or_indirect_transition_is_404(client, as_role, submitted, name):
    as_role("instructor")
    assert client.get(url("dossiers:transition", submitted, (name,))).status_code == 404
    assert client.post(url("dossiers:transition", submitted, (name,))).status_code == 404


@pytest.mark.parametrize(
    "role,expected",
    [
        ("lead", 200),
        ("co_editor", 200),
        ("other_lead", 404),
        ("caresp", 404),
        ("instructor", 404),
        ("decider", 404),
        ("admin_user", 404),
        ("outsider", 404),
    ],
)
def test_invite_page_on_a_draft(client, as_role, draft, role, expected):
    as_role(role)
    assert client.get(url("dossiers:invite", draft)).status_code == expected


@pytest.mark.parametrize("role", ["caresp", "instructor", "decider", "admin_user"])
def test_staff_cannot_invite_on_a_dossier_they_see(client, as_role, submitted, role):
    as_role(role)
    assert client.get(url("dossiers:invite", submitted)).status_code == 403
    response = client.post(url("dossiers:invite", submitted), {"email": "x@example.fr"})
    assert response.status_code == 403
