import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import ApiToken, RoleGrant, User
from budget.models import Envelope, EnvelopeAmendment
from campaign.models import Campaign, DeadlineExtension, Filiere, ReminderLog, Territory
from dossiers.models import Dossier, FundingLine, HistoryEntry, Project, Snapshot

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "setup" / "data" / "bretagne-2025.example.json"


def run_command(name, *args, **kwargs):
    """Run a management command; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(name, *args, stdout=out, stderr=err, **kwargs)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def row_counts():
    """Rows of every table an import or the demo writes to."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Campaign,
            Envelope,
            EnvelopeAmendment,
            Territory,
            Filiere,
            Filiere.territories.through,
            Filiere.editors.through,
            User,
            RoleGrant,
            ApiToken,
            DeadlineExtension,
            ReminderLog,
            Dossier,
            Project,
            FundingLine,
            HistoryEntry,
            Snapshot,
        )
    }


@pytest.fixture
def example_data():
    return json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def write_json(tmp_path):
    """Write data (or raw text) to a campaign file and return its path."""

    def write(data, name="campagne.json"):
        path = tmp_path / name
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
