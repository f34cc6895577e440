"""Imports inside function bodies only where a comment says why (issue 11): a cycle the
layers cannot avoid, a heavy library loaded on first use, Django set up first (bench).

The scan reads the source with `ast`. A run of consecutive imports in a function (blank and
comment lines allowed between them) is one group; a comment line right above the group or a
comment on one of its lines explains it. Test files and `lexcase/testing.py` are scanned too;
migrations are not (Django writes them)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("lexcase", "bench")


def _function_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            inner = in_function or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            visit(child, inner)

    visit(tree, False)
    return sorted(found, key=lambda node: node.lineno)


def unexplained_imports(source: str) -> list[int]:
    """The first line of each group of function-body imports that no comment explains."""
    lines = source.splitlines()
    groups: list[list[ast.Import | ast.ImportFrom]] = []
    for node in _function_imports(ast.parse(source)):
        if groups:
            gap = lines[(groups[-1][-1].end_lineno or 0) : node.lineno - 1]
            if all(not line.strip() or line.strip().startswith("#") for line in gap):
                groups[-1].append(node)
                continue
        groups.append([node])
    missing = []
    for group in groups:
        first = group[0].lineno
        above = lines[first - 2].strip() if first >= 2 else ""
        own = [lines[n - 1] for node in group for n in range(node.lineno, node.end_lineno + 1)]
        if not above.startswith("#") and not any("#" in line for line in own):
            missing.append(first)
    return missing


def _scanned_files() -> list[Path]:
    return [
        path
        for top in SCANNED
        for path in sorted((ROOT / top).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
    ]


def test_every_function_body_import_says_why() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _scanned_files()
        for line in unexplained_imports(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_groups_imports_and_reads_their_comments() -> None:
    source = (
        "import os\n"  # 1: module level, never counted
        "def a():\n"
        "    import json\n"  # 3: unexplained
        "def b():\n"
        "    # Heavy: only when exporting.\n"
        "    import csv\n"
        "\n"
        "    import zlib\n"  # 8: same group as csv
        "def c():\n"
        "    import gzip  # the cycle with x\n"
        "    x = 1\n"
        "    import bz2\n"  # 12: a new group, unexplained
        "class D:\n"
        "    import lzma\n"  # 14: a class body, not a function
        "    def e(self):\n"
        "        if True:\n"
        "            import sqlite3\n"  # 17: nested block of a function
    )
    assert unexplained_imports(source) == [3, 12, 17]


def test_the_scan_reads_test_files_and_the_test_helpers_but_not_migrations() -> None:
    scanned = {path.relative_to(ROOT).as_posix() for path in _scanned_files()}
    assert {
        "lexcase/testing.py",
        "lexcase/core/tests/test_local_imports.py",
        "lexcase/portal/tests/access_rows.py",
    } <= scanned
    assert [name for name in scanned if "/migrations/" in name] == []
