"""Fixtures for tests that run the platform as separate processes on real services."""

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import requests

from tests import services
from tests.live.stack import wait_until

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """moto's S3 server over real HTTP, with a bucket; yields the S3_* settings."""
    port = services.free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    endpoint = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(endpoint + "/moto-api/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    try:
        wait_until(up, timeout=30, message="moto server")
        settings = {
            "S3_ENDPOINT_URL": endpoint,
            "S3_BUCKET": "residency-test",
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "S3_REGION": "us-east-1",
        }
        boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket=settings["S3_BUCKET"])
        yield settings
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def postgres_database():
    url = services.create_postgres_database("residency_live")
    yield url
    services.drop_postgres_database(url)


@pytest.fixture
def redis_test_url():
    url = services.redis_url()
    services.flush_redis(url)
    yield url
    services.flush_redis(url)
