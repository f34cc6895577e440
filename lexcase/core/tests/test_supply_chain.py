"""The lock file (requirements.lock, `make lock`) pins every dependency, offline checks.

`make audit` (pip-audit against the lock) needs PyPI's vulnerability data and runs apart
from `make test`; these tests need no network.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)==([^\s;]+)(?:\s*;\s*(.+))?$")


def lock_pins() -> dict[str, tuple[str, str | None]]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[canonicalize_name(match[1])] = (match[2], match[3])
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [
        Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]


def test_every_line_of_the_lock_is_an_exact_pin():
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert PIN.match(line.strip()), f"not an exact pin: {line!r}"


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = lock_pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: make lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} in requirements.lock is outside pyproject.toml's "
            f"{requirement.specifier}: make lock"
        )


def test_the_environment_runs_the_locked_versions():
    """What the suite runs on is what the lock says (make install installs from it)."""
    wrong = []
    for name, (version, marker) in lock_pins().items():
        if marker and not Marker(marker).evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} (locked {version}) is not installed")
            continue
        if Version(installed) != Version(version):
            wrong.append(f"{name}: installed {installed}, locked {version}")
    assert not wrong, "run make install: " + "; ".join(wrong)
