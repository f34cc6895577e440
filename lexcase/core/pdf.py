"""HTML to PDF (weasyprint, Noto CJK from Debian) with no network: a template can load files
from its own assets folder and nothing else."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any


def _local_only(base_dir: Path, url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # WeasyPrint is heavy: it loads with the first PDF, not with every process.
    from weasyprint.urls import default_url_fetcher

    if not url.startswith("file://") or not Path(url[7:]).resolve().is_relative_to(base_dir):
        raise ValueError(f"PDF resources must be local: {url[:80]}")
    return default_url_fetcher(url, *args, **kwargs)


def html_to_pdf(*, html: str, base_dir: Path) -> bytes:
    from weasyprint import HTML  # heavy: only when a PDF is wanted

    fetcher = partial(_local_only, base_dir.resolve())
    return HTML(string=html, base_url=str(base_dir), url_fetcher=fetcher).write_pdf()
