"""One permission dialect: a firm role is compared in `lexcase/accounts/` and in the apps'
`rules.py` only. Everywhere else code asks a named predicate or permission
(`user.has_perm("todos.view_workload")`, `is_active_staff(user)`), and templates ask
`perms.<app>.<permission>`, so who may do what is read (and changed) in one place per app.

The scan reads the source with `ast`: a comparison (`==`, `!=`, `in`, `not in`) or a queryset
filter (`role=`, `role__in=`) that involves the firm's `Role` or `STAFF_ROLES`, or compares a
user's `.role` with a role's value, is a role comparison; so is the retired
`is_partner_or_admin`. Party and team roles (`PartyRole`, `MemberRole`) are other
vocabularies and are not firm roles."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from lexcase.accounts.models import Role
from lexcase.matters.models import MemberRole, PartyRole

LEXCASE = Path(__file__).resolve().parents[2]

# Values that are also party or team roles ("client", "assistant") count only when the
# compared `.role` belongs to a user.
_SHARED = frozenset(Role.values) & (frozenset(MemberRole.values) | frozenset(PartyRole.values))
_FIRM_ONLY = frozenset(Role.values) - _SHARED
_USERISH = re.compile(r"user|^actor$|^u$|^reviewer$|^requester$|^borrower$")
_FILTERS = frozenset({"filter", "exclude", "get", "Q", "get_or_create", "update_or_create"})
_RETIRED = frozenset({"is_partner_or_admin"})


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _allowed(rel: Path) -> bool:
    parts = rel.parts
    return parts[:2] == ("lexcase", "accounts") or rel.name == "rules.py"


def _scanned(rel: Path) -> bool:
    parts = set(rel.parts)
    return not ({"tests", "migrations"} & parts) and rel.name != "testing.py"


def _last_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.role_names: set[str] = set()  # local names of accounts' Role
        self.staff_names: set[str] = set()  # local names of STAFF_ROLES
        self.module_names: set[str] = set()  # local names of lexcase.accounts.models
        self.lines: list[int] = []

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            local = alias.asname or alias.name
            if node.module == "lexcase.accounts.models":
                if alias.name == "Role":
                    self.role_names.add(local)
                elif alias.name == "STAFF_ROLES":
                    self.staff_names.add(local)
            elif node.module == "lexcase.accounts" and alias.name == "models":
                self.module_names.add(local)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "lexcase.accounts.models" and alias.asname:
                self.module_names.add(alias.asname)

    # -- what counts --------------------------------------------------------------------

    def _is_firm_role(self, node: ast.AST) -> bool:
        """`node` mentions the firm's Role (Role.ADMIN, Role.values, …) or STAFF_ROLES."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.role_names | self.staff_names:
                return True
            if (
                isinstance(sub, ast.Attribute)
                and sub.attr in ("Role", "STAFF_ROLES")
                and _last_name(sub.value) in self.module_names
            ):
                return True
        return False

    @staticmethod
    def _role_owner(node: ast.AST) -> ast.AST | None:
        """For `x.role` or `getattr(x, "role", …)`: `x`."""
        if isinstance(node, ast.Attribute) and node.attr == "role":
            return node.value
        if (
            isinstance(node, ast.Call)
            and _last_name(node.func) == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "role"
        ):
            return node.args[0]
        return None

    @staticmethod
    def _role_strings(node: ast.AST) -> set[str]:
        return {
            sub.value
            for sub in ast.walk(node)
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
        } & frozenset(Role.values)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        owners = [o for o in map(self._role_owner, operands) if o is not None]
        strings: set[str] = set()
        for operand in operands:
            strings |= self._role_strings(operand)
        userish = any(_USERISH.search(_last_name(o)) for o in owners)
        if any(self._is_firm_role(o) for o in operands) or (
            owners and (strings & _FIRM_ONLY or (userish and strings))
        ):
            self.lines.append(node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _last_name(node.func) in _FILTERS:
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.split("__")[0] == "role":
                    value = keyword.value
                    if self._is_firm_role(value) or self._role_strings(value) & _FIRM_ONLY:
                        self.lines.append(node.lineno)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _RETIRED:
            self.lines.append(node.lineno)
        self.generic_visit(node)


_TEMPLATE_ROLE = re.compile(r"\buser\.role\b|\bis_partner_or_admin\b|\buser\.is_firm_admin\b")


def role_comparisons(root: Path = LEXCASE) -> list[Finding]:
    """Every role comparison under `root` (the `lexcase` package) outside the allowed files."""
    base = root.parent
    findings: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(base)
        if _allowed(rel) or not _scanned(rel):
            continue
        source = path.read_text(encoding="utf-8")
        scanner = _Scanner()
        scanner.visit(ast.parse(source, filename=str(path)))
        lines = source.splitlines()
        for line in sorted(set(scanner.lines)):
            findings.append(Finding(str(rel), line, lines[line - 1].strip()))
    for path in sorted(root.rglob("templates/**/*.html")):
        rel = path.relative_to(base)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _TEMPLATE_ROLE.search(line):
                findings.append(Finding(str(rel), number, line.strip()[:120]))
    return findings


def test_no_role_comparison_outside_accounts_and_rules() -> None:
    found = [str(f) for f in role_comparisons()]
    assert found == []


def test_the_scan_sees_each_form_of_role_comparison(tmp_path: Path) -> None:
    """The scanner itself: each dialect it must catch, and what it must leave alone."""
    package = tmp_path / "lexcase"
    (package / "feature" / "templates" / "feature").mkdir(parents=True)
    (package / "feature" / "views.py").write_text(
        "from lexcase.accounts.models import STAFF_ROLES, Role\n"
        "from lexcase.matters.models import PartyRole\n"
        "a = user.role == Role.ADMIN\n"
        "b = Role.PARTNER in roles\n"
        "c = request.user.role != 'admin'\n"
        "d = user.is_partner_or_admin\n"
        "e = actor.role in ('lawyer', 'partner')\n"
        "f = getattr(user, 'role', None) == 'client'\n"
        "g = User.objects.filter(role__in=STAFF_ROLES)\n"
        "h = user.role in STAFF_ROLES\n"
        "ok1 = link.role == PartyRole.CLIENT\n"
        "ok2 = link.role == 'client'\n"
        "ok3 = member.role == 'assistant'\n"
        "ok4 = User(role=Role.CLIENT)\n"
    )
    (package / "feature" / "rules.py").write_text("a = user.role == 'admin'\n")
    (package / "feature" / "templates" / "feature" / "page.html").write_text(
        '{% if user.role == "admin" %}x{% endif %}\n{% if perms.feature.act %}y{% endif %}\n'
    )
    found = [(f.path, f.line) for f in role_comparisons(package)]
    views = "lexcase/feature/views.py"
    assert found == [(views, n) for n in range(3, 11)] + [
        ("lexcase/feature/templates/feature/page.html", 1)
    ]


def test_no_test_imports_conftest() -> None:
    """Helpers live in importable modules (lexcase.testing, the apps' tests/ modules);
    conftest.py files only define fixtures."""
    pattern = re.compile(r"^\s*(from\s+\S*conftest\s+import|import\s+\S*conftest)", re.M)
    offenders = [
        str(path.relative_to(LEXCASE.parent))
        for top in (LEXCASE, LEXCASE.parent / "tests", LEXCASE.parent / "bench")
        if top.exists()
        for path in sorted(top.rglob("*.py"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
