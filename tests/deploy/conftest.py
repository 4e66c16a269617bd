"""Fixtures of the production-serving tests: a local S3 server (moto in server mode,
on a free loopback port, one per test process) and a fresh bucket per test with the
default storage pointed at it."""

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from config.settings import default_storage_settings

S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "cle-de-test",
    "AWS_SECRET_ACCESS_KEY": "secret-de-test",
    "AWS_DEFAULT_REGION": "eu-west-3",
}


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server running in this process (a thread)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(monkeypatch):
    for name, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return S3_CREDENTIALS


@pytest.fixture
def s3_client(s3_server, s3_env):
    return boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-3")


@pytest.fixture
def s3_bucket(s3_server, s3_client, settings):
    """A new empty bucket, and the default storage (uploads, outputs) in it."""
    name = f"filieres-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    default = default_storage_settings(
        {
            "AWS_STORAGE_BUCKET_NAME": name,
            "S3_ENDPOINT_URL": s3_server,
            "AWS_S3_REGION_NAME": "eu-west-3",
        }
    )
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return name


def bucket_keys(client, bucket):
    listing = client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))
