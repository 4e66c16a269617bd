"""Backup and restore of the whole platform: the database and the stored files
(docs/decisions/0028; `manage.py backup` / `manage.py restore`).

One tar archive holds `manifest.json` (date, database engine, row counts, every file's
name, size and SHA-256), the database (`pg_dump --format=custom` on PostgreSQL, the
SQLite online backup API on SQLite, both consistent while the site runs) and every file
of the default storage (attachments, call documents, letter templates, generations;
local folder or S3 bucket alike) under `media/`. A restore goes into an EMPTY database
and an empty storage, then checks the counts and each file's SHA-256 against the
manifest: a restore that does not find everything says so and fails."""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone

from accounts.models import User
from budget.models import Delegation, EnvelopeAmendment
from campaign.models import Campaign, CampaignDocument, CampaignEvent
from dossiers.models import Attachment, Dossier, FundingLine, HistoryEntry, Snapshot
from scoring.models import Review

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA = "media/"
# What a restore must find again, by table (counted in the manifest, checked after).
COUNTED = {
    "campaigns": Campaign,
    "campaign_events": CampaignEvent,
    "campaign_documents": CampaignDocument,
    "users": User,
    "dossiers": Dossier,
    "funding_lines": FundingLine,
    "history_entries": HistoryEntry,
    "snapshots": Snapshot,
    "attachments": Attachment,
    "reviews": Review,
    "envelope_amendments": EnvelopeAmendment,
    "delegations": Delegation,
}


class BackupError(Exception):
    """A backup or restore that cannot be done or did not find everything (French)."""


def vendor_of(db):
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"Moteur de base de données non pris en charge : {engine}.")


def counts(alias="default"):
    return {name: model._base_manager.using(alias).count() for name, model in COUNTED.items()}


# ---------------------------------------------------------------- backup


def backup(path, *, alias="default", storage=None):
    """Write the archive at `path` (through a temporary name: never half a backup);
    return its manifest."""
    storage = storage or default_storage
    db = settings.DATABASES[alias]
    vendor = vendor_of(db)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / DATABASE[vendor]
        if vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *_pg_args(db)], db)  # fmt: skip
        else:
            connection = connections[alias]
            connection.ensure_connection()
            with sqlite3.connect(dump) as target:
                connection.connection.backup(target)
            target.close()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "counts": counts(alias),
            "files": [],
        }
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=DATABASE[vendor])
            for name in sorted(stored_files(storage)):
                with storage.open(name, "rb") as handle:
                    hashing = _Hashing(handle)
                    info = tarfile.TarInfo(MEDIA + name)
                    info.size = storage.size(name)
                    info.mtime = int(dt.datetime.now().timestamp())
                    archive.addfile(info, hashing)
                manifest["files"].append(
                    {"name": name, "size": info.size, "sha256": hashing.hexdigest()}
                )
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    os.replace(partial, path)
    return manifest


class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data

    def hexdigest(self):
        return self.digest.hexdigest()


def stored_files(storage, folder=""):
    """Every file name of the storage (recursively)."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from stored_files(storage, prefix + sub)


# ---------------------------------------------------------------- restore


def read_manifest(path):
    try:
        with tarfile.open(path, "r") as archive:
            return json.load(archive.extractfile(MANIFEST))
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"« {path} » n'est pas une sauvegarde lisible ({exc}).") from None


def restore(path, *, alias="default", db=None, storage=None):
    """Restore the archive into the EMPTY database `db` (default: the alias's) and the
    EMPTY `storage`; check every file; return the manifest. Refused, changing nothing,
    when either is not empty or the engines differ."""
    storage = storage or default_storage
    manifest = read_manifest(path)
    if manifest.get("format") != FORMAT:
        raise BackupError("Format de sauvegarde inconnu.")
    target = db or settings.DATABASES[alias]
    vendor = vendor_of(target)
    if manifest["database"] != vendor:
        raise BackupError(
            f"Sauvegarde de {manifest['database']} : elle se restaure dans la même sorte de "
            f"base de données, pas dans {vendor}."
        )
    tables = _tables(target, alias if db is None else None)
    if tables:
        raise BackupError(
            f"La base de données cible n'est pas vide ({len(tables)} tables) : restaurez dans "
            "une base neuve (par exemple « createdb » puis DATABASE_URL vers elle)."
        )
    if next(iter(stored_files(storage)), None) is not None:
        raise BackupError(
            "Le stockage des fichiers (MEDIA_ROOT ou le bucket) n'est pas vide : restaurez "
            "dans un stockage neuf."
        )
    with tempfile.TemporaryDirectory() as folder, tarfile.open(path, "r") as archive:
        dump = Path(folder) / DATABASE[vendor]
        with archive.extractfile(DATABASE[vendor]) as source, open(dump, "wb") as out:
            shutil.copyfileobj(source, out)
        if vendor == "postgresql":
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *_pg_args(target, dbname_flag=True), str(dump)], target)  # fmt: skip
        else:
            _restore_sqlite(dump, target, alias if db is None else None)
        expected = {item["name"]: item for item in manifest["files"]}
        for member in archive.getmembers():
            if not member.name.startswith(MEDIA) or not member.isfile():
                continue
            name = member.name.removeprefix(MEDIA)
            if name not in expected or ".." in Path(name).parts or Path(name).is_absolute():
                raise BackupError(f"Fichier inattendu dans la sauvegarde : « {member.name} ».")
            with archive.extractfile(member) as handle:
                hashing = _Hashing(handle)
                saved = storage.save(name, File(hashing, name=name))
            if saved != name or hashing.hexdigest() != expected[name]["sha256"]:
                raise BackupError(f"Le fichier « {name} » n'a pas été restauré à l'identique.")
    missing = [name for name in expected if not storage.exists(name)]
    if missing:
        raise BackupError(f"{len(missing)} fichiers manquent après la restauration.")
    return manifest


def check_counts(manifest, alias="default"):
    """The rows a restored database holds, compared with the manifest: the differences."""
    found = counts(alias)
    return {
        name: (number, found.get(name))
        for name, number in manifest["counts"].items()
        if found.get(name) != number
    }


def _restore_sqlite(dump, target, alias):
    with sqlite3.connect(dump) as source:
        if alias is not None:
            connection = connections[alias]
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            with sqlite3.connect(target["NAME"]) as destination:
                source.backup(destination)
            destination.close()
    source.close()


def _tables(db, alias):
    if vendor_of(db) == "sqlite":
        if alias is not None:
            connection = connections[alias]
            with connection.cursor() as cursor:
                return connection.introspection.table_names(cursor)
        with sqlite3.connect(db["NAME"]) as raw:
            rows = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        raw.close()
        return [row[0] for row in rows]
    with psycopg.connect(**_pg_conninfo(db)) as raw:
        rows = raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


def _pg_conninfo(db):
    info = {"dbname": db["NAME"]}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):  # fmt: skip
        if db.get(key):
            info[name] = str(db[key])
    return info


def _pg_args(db, *, dbname_flag=False):
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return [*args, "--dbname", db["NAME"]] if dbname_flag else [*args, db["NAME"]]


def _run(command, db):
    """Run pg_dump / pg_restore; the password in the environment, never on the command
    line (where `ps` shows it)."""
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"« {command[0]} » est introuvable : installez les outils clients de PostgreSQL "
            "(paquet postgresql-client) de la version du serveur."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()}")
