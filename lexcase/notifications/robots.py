"""Group-robot webhooks of 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书 (Feishu/Lark): the JSON
each platform's incoming webhook takes, its signature, and one HTTP POST.

Pure functions and the standard library: no database. The services decide what is sent
(a matter's number, title and due date, nothing else) and the task sends it.

- WeCom: `POST <url>` (`…/cgi-bin/webhook/send?key=…`) with
  `{"msgtype": "text", "text": {"content": …}}`; no signature (the key is in the URL);
  answers `{"errcode": 0, "errmsg": "ok"}`.
- DingTalk: `POST <url>&timestamp=<ms>&sign=<sign>` (`…/robot/send?access_token=…`) with
  `{"msgtype": "text", "text": {"content": …}}`; the sign is
  urlencode(base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>"))), the timestamp in
  milliseconds; answers `{"errcode": 0, "errmsg": "ok"}`.
- Feishu: `POST <url>` (`…/open-apis/bot/v2/hook/…`) with
  `{"timestamp": "<s>", "sign": <sign>, "msg_type": "text", "content": {"text": …}}`; the
  sign is base64(HMAC-SHA256(key="<s>\\n<secret>", msg="")), the timestamp in seconds;
  answers `{"code": 0, "msg": "success"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024

WECOM = "wecom"
DINGTALK = "dingtalk"
FEISHU = "feishu"
PLATFORMS = (WECOM, DINGTALK, FEISHU)


class DeliveryError(Exception):
    """The platform did not accept the message; the text says why (no secret in it)."""


@dataclass(frozen=True)
class Request:
    url: str
    body: dict[str, Any]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's `sign` query parameter, already url-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's `sign` field: the key is "timestamp\\nsecret", the message empty."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def build_request(*, platform: str, url: str, secret: str, text: str, now: float) -> Request:
    """The URL to POST to and the JSON body for `text`, signed at `now` (epoch seconds)."""
    if platform == WECOM:
        return Request(url, {"msgtype": "text", "text": {"content": text}})
    if platform == DINGTALK:
        body = {"msgtype": "text", "text": {"content": text}}
        if not secret:
            return Request(url, body)
        ms = int(now * 1000)
        joiner = "&" if urllib.parse.urlsplit(url).query else "?"
        return Request(f"{url}{joiner}timestamp={ms}&sign={dingtalk_sign(secret, ms)}", body)
    if platform == FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if not secret:
            return Request(url, body)
        seconds = int(now)
        return Request(
            url, {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
        )
    raise ValueError(f"unknown platform {platform!r}")


def _accepted(platform: str, answer: dict[str, Any]) -> tuple[bool, str]:
    if platform == FEISHU:
        code = answer.get("code", answer.get("StatusCode"))
        return code == 0, str(answer.get("msg", answer.get("StatusMessage", "")))
    return answer.get("errcode") == 0, str(answer.get("errmsg", ""))


def post(*, platform: str, request: Request, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST the message; raises DeliveryError unless the platform answered that it took it.
    No proxy from the environment: the only host reached is the configured webhook's."""
    data = json.dumps(request.body, ensure_ascii=False).encode()
    http = urllib.request.Request(  # noqa: S310 - the scheme is checked when configured
        request.url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(http, timeout=timeout) as response:
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"not reached: {reason}") from None
    try:
        answer = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        raise DeliveryError("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise DeliveryError("the answer is not a JSON object")
    ok, message = _accepted(platform, answer)
    if not ok:
        raise DeliveryError(f"refused: {message[:200]}")


def mask_url(url: str) -> str:
    """The URL as shown back to an administrator: host and path, the token or key hidden
    but for its last four characters."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if "/hook/" in path:  # Feishu keeps its token in the path
        head, _sep, token = path.rpartition("/")
        path = f"{head}/…{token[-4:]}"
    query = urllib.parse.parse_qsl(parts.query)
    shown = "&".join(f"{k}=…{v[-4:]}" for k, v in query)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, shown, ""))


def mask_secret(secret: str) -> str:
    return f"…{secret[-4:]}" if len(secret) > 8 else ("…" if secret else "")
