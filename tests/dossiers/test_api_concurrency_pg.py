"""Real concurrency on PostgreSQL: two requests at once, separate connections."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.models import ApiToken
from dossiers.models import Dossier
from tests.factories import DossierFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def run_together(requests):
    """Run each callable in its own thread, released at the same instant; return results."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def bearer(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def test_concurrent_creation_one_201_one_409(lead, co_editor, filiere):
    def create(user):
        headers = bearer(user)
        return lambda: Client().post(
            "/api/v1/dossiers",
            {"campaign": "bretagne-2025", "filiere": "nord-finistere"},
            content_type="application/json",
            headers=headers,
        )

    for _attempt in range(3):
        Dossier.objects.all().delete()
        responses = run_together([create(lead), create(co_editor)])
        assert sorted(r.status_code for r in responses) == [201, 409]
        conflict = next(r for r in responses if r.status_code == 409)
        assert conflict.json()["detail"] == "Cette filière a déjà un dossier pour cette campagne."
        assert Dossier.objects.filter(filiere=filiere).count() == 1


def test_concurrent_patches_with_the_same_version_one_wins(lead, co_editor, filiere):
    dossier = DossierFactory(filiere=filiere)

    def patch(user, strength):
        headers = bearer(user)
        return lambda: Client().patch(
            f"/api/v1/dossiers/{dossier.id}",
            {"version": dossier.version, "swot": {"strengths": [strength]}},
            content_type="application/json",
            headers=headers,
        )

    responses = run_together([patch(lead, "Version A"), patch(co_editor, "Version B")])
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    dossier.refresh_from_db()
    assert dossier.swot["strengths"] == winner["swot"]["strengths"]
    assert dossier.version == winner["version"] == 2
