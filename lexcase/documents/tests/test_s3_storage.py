"""Documents on S3-compatible object storage (settings.py "S3 bucket", docs/operations.md
"Documents"): the settings built from LEXCASE_S3_* and the whole document path against moto
in-process (no network): upload, text extraction, download, new version, verify, orphans.

The multi-process stack checks the same against moto in server mode behind nginx
(`make stack-check`, deploy/stack_check.py)."""

from __future__ import annotations

import hashlib
import os
import runpy
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.utils import timezone
from moto import mock_aws

from lexcase.documents import files, services
from lexcase.documents.models import DocumentVersion
from lexcase.documents.tests.files import docx_bytes, sha, upload
from lexcase.testing import client_for

SETTINGS_PY = Path(__file__).resolve().parents[2] / "settings.py"
BUCKET = "lexcase-documents"
S3_ENV = {
    "LEXCASE_S3_BUCKET": BUCKET,
    "LEXCASE_S3_REGION": "cn-north-1",
    "LEXCASE_S3_ACCESS_KEY_ID": "test-access-key",
    "LEXCASE_S3_SECRET_ACCESS_KEY": "test-secret-key",
    "LEXCASE_S3_PREFIX": "firm-a",
    "LEXCASE_S3_ADDRESSING_STYLE": "path",
}
CONTRACT = "委托代理合同\n甲方：北京华泰科技有限公司\n乙方：王伟\n代理费用".encode()


def settings_with(tmp_path: Path, **env: str) -> dict[str, Any]:
    """settings.py evaluated afresh with this environment (development mode, a private
    var dir): what a process started with these variables would run with."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("LEXCASE_")}
    keep["LEXCASE_AUDIT_KEY"] = "s3-settings-test-audit-key-" + "0" * 32
    keep["LEXCASE_FIELD_KEYS"] = "dW51c2VkLWJ5LWNvbXBpbGVtZXNzYWdlcy0wMDAwMDA="
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(
        {**keep, "LEXCASE_DEBUG": "1", "LEXCASE_VAR_DIR": str(tmp_path / "var"), **env}
    )
    try:
        return runpy.run_path(str(SETTINGS_PY))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_without_a_bucket_documents_are_local_files(tmp_path):
    storage = settings_with(tmp_path)["STORAGES"]["documents"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == tmp_path / "var" / "documents"


def test_the_s3_variables_configure_a_private_s3_storage(tmp_path):
    storage = settings_with(tmp_path, **S3_ENV, LEXCASE_S3_ENDPOINT_URL="http://127.0.0.1:9000")[
        "STORAGES"
    ]["documents"]
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": "cn-north-1",
            "access_key": "test-access-key",
            "secret_key": "test-secret-key",
            "location": "firm-a",
            # No ACL is set (the bucket's own policy, private, applies); a stored name is
            # never overwritten; any URL the storage made would be signed.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": "path",
        },
    }


def test_optional_s3_variables_left_empty_fall_back_to_boto3_defaults(tmp_path):
    options = settings_with(tmp_path, LEXCASE_S3_BUCKET=BUCKET, LEXCASE_S3_ENDPOINT_URL="")[
        "STORAGES"
    ]["documents"]["OPTIONS"]
    assert (
        options["endpoint_url"],
        options["region_name"],
        options["access_key"],
        options["secret_key"],
        options["location"],
        options["addressing_style"],
    ) == (None, None, None, None, "", None)


@pytest.fixture
def s3(settings, tmp_path) -> Any:
    """Documents on an S3 bucket in moto (in-process), configured by settings.py from the
    same variables a deployment sets."""
    storages = settings_with(tmp_path, **S3_ENV)["STORAGES"]
    with mock_aws():
        client = boto3.client(
            "s3",
            region_name="cn-north-1",
            aws_access_key_id="test-access-key",
            aws_secret_access_key="test-secret-key",
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        settings.STORAGES = {**settings.STORAGES, "documents": storages["documents"]}
        yield client


def bucket_objects(client: Any) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def read_all(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_lands_in_the_bucket_and_downloads_with_the_same_sha256(
    firm, s3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = services.documents_upload(
            actor=firm.lead, matter=firm.matter, uploads=[upload("委托代理合同.txt", CONTRACT)]
        )
    version = DocumentVersion.objects.get(document=document)
    assert version.file_name.startswith("documents/")
    assert bucket_objects(s3) == {f"firm-a/{version.file_name}": CONTRACT}
    assert (version.sha256, version.size) == (sha(CONTRACT), len(CONTRACT))
    response = client_for(firm.lead).get(f"/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert sha(read_all(response)) == version.sha256
    assert response["Cache-Control"] == "private, no-store"
    # The worker's extraction read the object back from the bucket.
    assert (version.text_status, "北京华泰科技有限公司" in version.text) == ("done", True)
    # No local path: nothing to fsync, the object store acknowledged the write.
    with pytest.raises(NotImplementedError):
        files.documents_storage().path(version.file_name)


def test_a_binary_upload_and_a_new_version_keep_both_objects(firm, s3):
    docx = docx_bytes(["民事起诉状", "原告：王伟"])
    (document,) = services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("起诉状.docx", docx)]
    )
    v2 = services.document_version_add(
        actor=firm.lead, document=document, upload=upload("起诉状-修订.txt", "修订稿".encode())
    )
    v1 = document.versions.get(number=1)
    objects = bucket_objects(s3)
    assert {k: hashlib.sha256(v).hexdigest() for k, v in objects.items()} == {
        f"firm-a/{v1.file_name}": v1.sha256,
        f"firm-a/{v2.file_name}": v2.sha256,
    }
    assert v1.sha256 == sha(docx)
    client = client_for(firm.lead)
    old = client.get(f"/documents/versions/{v1.pk}/download/")
    assert read_all(old) == docx
    report = services.versions_verify()
    assert (report["missing"], report["altered"], sorted(report["ok"])) == ([], [], [v1.pk, v2.pk])


def test_verify_reports_an_object_altered_or_lost_in_the_bucket(firm, s3):
    a, b = services.documents_upload(
        actor=firm.lead,
        matter=firm.matter,
        uploads=[upload("a.txt", "甲".encode()), upload("b.txt", "乙".encode())],
    )
    s3.put_object(Bucket=BUCKET, Key=f"firm-a/{a.current.file_name}", Body="丙".encode())
    s3.delete_object(Bucket=BUCKET, Key=f"firm-a/{b.current.file_name}")
    assert services.versions_verify() == {
        "missing": [b.current.pk],
        "altered": [a.current.pk],
        "ok": [],
    }


def test_orphans_are_listed_from_the_bucket_and_deleted_there(firm, s3):
    services.documents_upload(
        actor=firm.lead, matter=firm.matter, uploads=[upload("kept.txt", b"kept text")]
    )
    stray = "documents/2026/01/02/0123456789abcdef0123456789abcdef.txt"
    s3.put_object(Bucket=BUCKET, Key=f"firm-a/{stray}", Body=b"left behind by a killed worker")
    # Younger than the grace period: an upload that may still be committing.
    assert services.orphan_files(grace_hours=1) == []
    later = timezone.now() + timedelta(hours=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.timezone, "now", lambda: later)
        assert services.orphan_files(grace_hours=1) == [stray]
    assert services.orphan_files_delete(names=[stray]) == 1
    assert [k.removeprefix("firm-a/") for k in bucket_objects(s3)] == [
        DocumentVersion.objects.get().file_name
    ]


def test_a_failed_transaction_leaves_no_object_in_the_bucket(firm, s3):
    with pytest.MonkeyPatch.context() as patch:

        def boom(**kwargs: Any) -> None:
            raise RuntimeError("database gone")

        patch.setattr(services, "audit_record", boom)
        with pytest.raises(RuntimeError):
            services.documents_upload(
                actor=firm.lead, matter=firm.matter, uploads=[upload("x.txt", b"x text")]
            )
    assert bucket_objects(s3) == {}
    assert DocumentVersion.objects.count() == 0
