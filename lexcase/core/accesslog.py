"""gunicorn's access log without ID numbers (issue 18 item 11).

A search for a party by its 身份证号 or 统一社会信用代码 puts the number into the URL
(`/parties/?q=…`, the Referer of the next page); gunicorn would write it into every access
log line. `gunicorn.conf.py` at the project root selects this logger class, which masks
identifiers in every URL-like atom the log format can use.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from lexcase.parties.identifiers import mask_identifiers_in, mask_identifiers_in_query

_QUERY_ATOMS = ("q", "{query_string}e")


def mask_url(value: str) -> str:
    """A URL, a request line or a path with identifiers masked in path and query."""
    parts = []
    for part in value.split(" "):
        path, sep, query = part.partition("?")
        parts.append(mask_identifiers_in(path) + sep + mask_identifiers_in_query(query))
    return " ".join(parts)


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if not isinstance(value, str):
                continue
            masked = mask_identifiers_in_query if key in _QUERY_ATOMS else mask_url
            atoms[key] = masked(value)
        return atoms
