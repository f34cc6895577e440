"""Documents uploaded through the running stack land in the S3 endpoint and download with the
same SHA-256 (`make stack-check`; docs/operations.md "Multi-process deployment").

Signs in as the demo lawyer through nginx (127.0.0.1:8480), uploads in one form a UTF-8
text, a Word file and a 12 MB text (over boto3's 8 MB multipart threshold) to one of their
open matters, then for each new version: the object under its stored name in the bucket
(read with boto3 straight from the S3 endpoint) and the download through nginx both hash
to the SHA-256 of the bytes sent, which is also the version's recorded hash; nothing is
written under the stack's local documents folder; the db_workers extract the text (read
back from S3). Exits non-zero on any mismatch.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / "var" / "stack" / "stack.env"
NGINX = "http://127.0.0.1:8480"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_to_send() -> list[tuple[str, bytes]]:
    from docx import Document

    rng = random.Random()
    words = "合同 纠纷 借款 判决 证据 仲裁 赔偿 违约".split()
    memo = "\n".join("".join(rng.choice(words) for _ in range(40)) for _ in range(200))
    document = Document()
    document.add_heading("律师函", level=1)
    document.add_paragraph(f"核对编号 {rng.getrandbits(64):x}：北京华泰科技有限公司")
    buffer = io.BytesIO()
    document.save(buffer)
    line = "".join(rng.choice(words) for _ in range(60)) + "\n"
    big = (line * (12 * 1024 * 1024 // len(line.encode()) + 1)).encode()
    return [
        (f"核对备忘录-{rng.getrandbits(32):x}.txt", memo.encode()),
        (f"核对律师函-{rng.getrandbits(32):x}.docx", buffer.getvalue()),
        (f"核对卷宗-{rng.getrandbits(32):x}.txt", big),
    ]


def main() -> int:
    if not ENV_FILE.exists():
        sys.exit("no var/stack/stack.env: start the stack first (make stack)")
    for line in ENV_FILE.read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            os.environ[key] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "lexcase.settings"
    import boto3
    import django

    django.setup()
    from django.conf import settings

    from lexcase.accounts.models import User
    from lexcase.documents.models import DocumentVersion
    from lexcase.matters.models import Matter, Status

    options = settings.STORAGES["documents"]["OPTIONS"]
    assert settings.STORAGES["documents"]["BACKEND"] == "storages.backends.s3.S3Storage"
    s3 = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    lawyer = User.objects.get(username="lawyer")
    matter = next(
        m
        for m in Matter.objects.filter(status=Status.OPEN, members__user=lawyer).order_by("pk")
        if lawyer.has_perm("documents.upload", m)
    )

    session = requests.Session()
    page = session.get(f"{NGINX}/accounts/login/", timeout=60)
    response = session.post(
        f"{NGINX}/accounts/login/",
        data={
            "login": "lawyer",
            "password": "lexcase-demo",
            "csrfmiddlewaretoken": CSRF.search(page.text)[1],
        },
        timeout=60,
    )
    assert "/accounts/login/" not in response.url, "could not sign in as lawyer"
    page = session.get(f"{NGINX}/matters/{matter.pk}/", timeout=60)
    sent = files_to_send()
    before = set(DocumentVersion.objects.values_list("pk", flat=True))
    response = session.post(
        f"{NGINX}/matters/{matter.pk}/documents/",
        data={"csrfmiddlewaretoken": CSRF.search(page.text)[1], "category": ""},
        files=[("files", (name, data)) for name, data in sent],
        timeout=300,
    )
    assert "msg-success" in response.text, f"upload refused: {response.status_code}"
    versions = {
        v.original_name: v
        for v in DocumentVersion.objects.exclude(pk__in=before).filter(document__matter=matter)
    }
    prefix = f"{options['location']}/" if options["location"] else ""
    local = Path(settings.VAR_DIR) / "documents"
    failures = 0
    print(
        f"matter {matter.number} (#{matter.pk}), bucket {options['bucket_name']} at "
        f"{options['endpoint_url']}"
    )
    for name, data in sent:
        version = versions[name]
        key = prefix + version.file_name
        stored = s3.get_object(Bucket=options["bucket_name"], Key=key)["Body"].read()
        download = session.get(f"{NGINX}/documents/versions/{version.pk}/download/", timeout=300)
        row = {
            "sent": sha(data),
            "recorded": version.sha256,
            "in S3": sha(stored),
            "downloaded": sha(download.content),
        }
        same = len(set(row.values())) == 1 and download.status_code == 200
        failures += not same
        print(
            f"{'OK ' if same else 'BAD'} {name} {len(data)} bytes -> s3://"
            f"{options['bucket_name']}/{key}: " + ", ".join(f"{k} {v[:12]}" for k, v in row.items())
        )
    if local.exists() and any(p.is_file() for p in local.rglob("*")):
        print(f"BAD files under {local}: documents must be in S3 only")
        failures += 1
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        statuses = sorted(
            DocumentVersion.objects.filter(pk__in=[v.pk for v in versions.values()]).values_list(
                "text_status", flat=True
            )
        )
        if "pending" not in statuses:
            break
        time.sleep(2)
    print(f"text extraction by the db_workers (read back from S3): {statuses}")
    failures += statuses != ["done"] * len(sent)
    print("stack check:", "passed" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
