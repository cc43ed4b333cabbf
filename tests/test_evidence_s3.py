"""Evidence on S3-compatible storage, so that every app server sees the same files:
a real S3 server (moto's, on a local port) holds them; the pages store and serve
them as they do from the local folder, only through the view that checks who asks."""

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from health_check.checks import Storage
from moto.server import ThreadedMotoServer

from tests.reminders_support import free_port
from tests.test_evidence_limits import PDF, post_update
from tracker.models import Evidence

pytestmark = pytest.mark.django_db

BUCKET = "peel-evidence"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture
def s3(settings, tmp_path):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in this process: each test starts with none.
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2", **KEYS)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    # What EVIDENCE_S3_BUCKET and its neighbours make of STORAGES (peel/settings.py).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "location": "tracker",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "not-used")
    yield client
    server.stop()


def test_evidence_is_stored_in_the_bucket_and_served_only_through_the_view(
    client, owner, outsider, action, s3, tmp_path
):
    client.force_login(owner)
    response = post_update(
        client, action, files=[SimpleUploadedFile("plan.pdf", PDF, "application/pdf")]
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    (stored,) = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == f"tracker/{evidence.file.name}"
    assert s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read() == PDF
    assert not (tmp_path / "not-used").exists()

    download = client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "plan.pdf" in download["Content-Disposition"]

    client.force_login(outsider)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404


def test_the_readiness_check_writes_and_removes_a_file_in_the_bucket(s3):
    Storage().run()  # raises if it cannot
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
