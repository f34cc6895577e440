"""The access log masks ID numbers in URLs (issue 18 item 11)."""

from __future__ import annotations

import datetime
from pathlib import Path

from gunicorn.config import Config

from lexcase.core.accesslog import MaskingLogger

ROOT = Path(__file__).resolve().parents[3]


class _Response:
    status = "200 OK"
    headers: list = []
    sent = 10


class _Request:
    headers = [("REFERER", "https://lex.example/parties/?q=11010519491231002X")]


def _atoms() -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/parties/?q=110105+19491231+002X&kind=person",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/parties/",
        "QUERY_STRING": "q=110105+19491231+002X&kind=person",
        "HTTP_REFERER": "https://lex.example/parties/?q=11010519491231002X",
        "REMOTE_ADDR": "127.0.0.1",
    }
    logger = MaskingLogger(Config())
    return logger.atoms(_Response(), _Request(), environ, datetime.timedelta(seconds=1))


def test_access_log_atoms_carry_no_id_number():
    atoms = _atoms()
    assert atoms["r"] == "GET /parties/?q=110***********002X&kind=person HTTP/1.1"
    assert atoms["q"] == "q=110***********002X&kind=person"
    assert atoms["f"] == "https://lex.example/parties/?q=110***********002X"
    assert atoms["{referer}i"] == "https://lex.example/parties/?q=110***********002X"
    assert atoms["{raw_uri}e"] == "/parties/?q=110***********002X&kind=person"
    assert [k for k, v in atoms.items() if "19491231" in str(v)] == []


def test_gunicorn_started_from_the_project_root_uses_the_masking_logger():
    config = Config()
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    config.set("logger_class", namespace["logger_class"])
    assert config.logger_class is MaskingLogger
