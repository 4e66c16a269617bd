"""Backup and restore (setup.backup, ADR 0028): an archive restored into an EMPTY
database and storage gives back every dossier, history entry, snapshot and file, on
SQLite and on PostgreSQL (each test runs on its own engine)."""

import hashlib
import shutil
import tarfile
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from campaign.models import CampaignEvent
from dossiers.domain.attachments import add_attachment
from dossiers.enums import DossierState
from dossiers.models import Attachment, Dossier, HistoryEntry, Snapshot
from setup.backup import BackupError, _pg_conninfo, backup, check_counts, restore
from tests.factories import complete_dossier, dossier_in_state

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def world(filiere, lead):
    """Two dossiers with files: one decided (history, snapshot), one draft."""
    decided = complete_dossier(filiere=filiere)
    for index in range(2):
        add_attachment(
            decided,
            lead,
            SimpleUploadedFile(f"piece-{index}.pdf", PDF + bytes([index])),
            "identity",
        )
    dossier_in_state(DossierState.DECIDED, dossier=decided, lead=lead)
    CampaignEvent.objects.create(campaign=decided.campaign, action="updated", reason="Essai")
    return decided


def snapshot_of_everything():
    return {
        "dossiers": sorted(Dossier.objects.values_list("pk", "state", "version")),
        "history": sorted(HistoryEntry.objects.values_list("pk", "transition", "to_state")),
        "snapshots": sorted(Snapshot.objects.values_list("pk", "content_sha256")),
        "attachments": sorted(Attachment.objects.values_list("pk", "file", "sha256")),
        "events": sorted(CampaignEvent.objects.values_list("pk", "reason")),
    }


def sha256_of(storage, name):
    with storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_an_empty_database(filiere, lead, tmp_path):
    world(filiere, lead)
    before = snapshot_of_everything()
    assert len(before["history"]) >= 3 and len(before["attachments"]) == 2
    archive = tmp_path / "sauvegarde.tar"
    manifest = backup(archive)
    assert manifest["database"] == "sqlite" and len(manifest["files"]) == 2
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.sqlite3"} <= set(tar.getnames())

    # Everything lost: every table dropped, the files' folder removed.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'DROP TABLE "{table}"')
    shutil.rmtree(settings.MEDIA_ROOT)
    assert connection.introspection.table_names() == []

    restore(archive)
    assert check_counts(manifest) == {}
    assert snapshot_of_everything() == before
    for attachment in Attachment.objects.all():
        assert sha256_of(default_storage, attachment.file.name) == attachment.sha256


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_or_storage_that_is_not_empty(filiere, lead, tmp_path):
    world(filiere, lead)
    archive = tmp_path / "sauvegarde.tar"
    backup(archive)
    before = snapshot_of_everything()
    with pytest.raises(BackupError, match="n'est pas vide"):
        restore(archive)
    assert snapshot_of_everything() == before
    # The command says it in French, exit status 1.
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore", str(archive))
    assert exit_info.value.code == 1


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_backup_command_reports_what_it_saved(filiere, lead, tmp_path, capsys):
    world(filiere, lead)
    call_command("backup", str(tmp_path / "s.tar"))
    out = capsys.readouterr().out
    assert "2 fichiers" in out and "1 dossiers" in out
    assert not (tmp_path / "s.tar.partial").exists()


def test_an_unreadable_archive_is_refused(tmp_path):
    bad = tmp_path / "pas-une-sauvegarde.tar"
    bad.write_bytes(b"rien")
    with pytest.raises(BackupError, match="pas une sauvegarde lisible"):
        restore(bad)


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_an_empty_database(filiere, lead, tmp_path):
    world(filiere, lead)
    before = snapshot_of_everything()
    archive = tmp_path / "sauvegarde.tar"
    manifest = backup(archive)
    assert manifest["database"] == "postgresql"

    name = f"restore_{uuid.uuid4().hex[:12]}"
    target = {**settings.DATABASES["default"], "NAME": name}
    admin = {**_pg_conninfo(settings.DATABASES["default"]), "autocommit": True}
    with psycopg.connect(**admin) as raw:
        raw.execute(f'CREATE DATABASE "{name}"')
    storage = FileSystemStorage(location=tmp_path / "media-restauree")
    try:
        restore(archive, db=target, storage=storage)
        with psycopg.connect(**_pg_conninfo(target)) as restored:

            def rows(sql):
                return sorted(tuple(row) for row in restored.execute(sql).fetchall())

            assert rows("SELECT id, state, version FROM dossiers_dossier") == before["dossiers"]
            assert rows("SELECT id, transition, to_state FROM dossiers_historyentry") == before["history"]  # fmt: skip
            assert rows("SELECT id, content_sha256 FROM dossiers_snapshot") == before["snapshots"]
            assert rows("SELECT id, file, sha256 FROM dossiers_attachment") == before["attachments"]
            assert rows("SELECT id, reason FROM campaign_campaignevent") == before["events"]
            # The database's guarantees come back with the rows (ADR 0025).
            with pytest.raises(psycopg.errors.RaiseException, match="pgtrigger"):
                restored.execute("DELETE FROM dossiers_historyentry")
        for _pk, file_name, sha256 in before["attachments"]:
            assert sha256_of(storage, file_name) == sha256
        # A second restore into the same (now full) database is refused.
        with pytest.raises(BackupError, match="n'est pas vide"):
            restore(archive, db=target, storage=FileSystemStorage(location=tmp_path / "autre"))
    finally:
        with psycopg.connect(**admin) as raw:
            raw.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
