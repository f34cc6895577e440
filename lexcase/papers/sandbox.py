"""DOCX templates with Jinja merge fields (docxtpl), checked and rendered in a sandbox.

A template is checked once, at upload (`template_check`): every expression must be one of the
documented fields (`fields.FIELDS`), a loop over a list field, a test, or one of a few
filters with constant arguments. Anything else — an unknown field, `{{ matter.secret_field }}`,
`{{ ''.__class__ }}`, a call, an item lookup, `{% set %}`, `{% include %}`, a macro — is
refused with the field or construct named. Rendering (`template_render`) then uses
jinja2's `ImmutableSandboxedEnvironment` with autoescaping on plain dict and list values, so
even a template that slipped past the check reaches no attribute of any object, and a value
containing `{{ }}`, `<` or `&` is written literally (Jinja never evaluates its output; the
escaping keeps the XML well formed).

docxtpl and jinja2 are imported when a template is checked or rendered (not at startup).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lexcase.papers.fields import FIELD_PATHS, LIST_PATHS

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

ALLOWED_FILTERS = frozenset(
    {"default", "upper", "lower", "trim", "length", "join", "first", "last", "replace"}
)
ALLOWED_TESTS = frozenset({"defined", "none", "string", "number", "sameas", "eq", "ne"})
LOOP_ATTRIBUTES = frozenset({"index", "index0", "first", "last", "length", "revindex"})
# Core document properties docxtpl renders as templates too.
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _environment() -> ImmutableSandboxedEnvironment:
    # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=lambda value: "" if value is None else value,
    )


def _sources(content: bytes) -> Iterator[tuple[str, str]]:
    """(where, Jinja source) of every part docxtpl renders, patched as docxtpl patches it."""
    # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(content))
    tpl.init_docx()
    yield "body", tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            yield "header/footer", tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))
    for part in tpl.docx.part.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            yield "footnotes", tpl.patch_xml(blob)
    for prop in PROPERTIES:
        value = getattr(tpl.docx.core_properties, prop) or ""
        if value:
            yield "properties", value


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.used: set[str] = set()

    def refuse(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    # -- paths -------------------------------------------------------------------------------

    def path_of(self, node: nodes.Node, scope: dict[str, str]) -> str | None:
        """The field path of a Name/Getattr chain ("matter.cause"), loop variables resolved
        ("p.name" in `for p in opposing_parties` → "opposing_parties[].name"); None if the
        chain does not start at a name."""
        # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
        from jinja2 import nodes

        parts: list[str] = []
        while isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        if not isinstance(node, nodes.Name):
            return None
        parts.append(scope.get(node.name, node.name))
        return ".".join(reversed(parts))

    def value(self, node: nodes.Node, scope: dict[str, str], *, list_ok: bool = False) -> None:
        """An expression whose value is output or tested."""
        # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
        from jinja2 import nodes

        if isinstance(node, nodes.Const):
            if not isinstance(node.value, str | int | float | bool | type(None)):
                self.refuse(_("Only text and number constants are allowed."))
            return
        if isinstance(node, nodes.Name | nodes.Getattr):
            path = self.path_of(node, scope)
            if path is None:
                self.refuse(
                    _("Not allowed: attribute “%(attr)s” of something that is not a field.")
                    % {"attr": getattr(node, "attr", "?")}
                )
                return
            if path.startswith("loop.") or path == "loop":
                # `loop` exists inside a {% for %} only (scope: its loop variables).
                if path.split(".", 1)[-1] not in LOOP_ATTRIBUTES or "loop" in scope or not scope:
                    self.refuse(_("Unknown field: %(field)s") % {"field": path})
                return
            if path not in FIELD_PATHS:
                self.refuse(_("Unknown field: %(field)s") % {"field": path.replace("[]", "")})
                return
            if path in LIST_PATHS and not list_ok:
                self.refuse(
                    _("%(field)s is a list: use it in {%% for %%} or with |join.") % {"field": path}
                )
                return
            if "[]" in path and not any(path.startswith(v) for v in scope.values()):
                self.refuse(_("Unknown field: %(field)s") % {"field": path})
                return
            self.used.add(path)
            return
        if isinstance(node, nodes.Filter):
            if node.name not in ALLOWED_FILTERS:
                self.refuse(_("Filter “%(name)s” is not allowed.") % {"name": node.name})
            if node.node is not None:
                self.value(
                    node.node, scope, list_ok=node.name in {"length", "join", "first", "last"}
                )
            for arg in [*node.args, *(kw.value for kw in node.kwargs)]:
                if not isinstance(arg, nodes.Const):
                    self.refuse(_("A filter's arguments must be constants."))
            if node.dyn_args or node.dyn_kwargs:
                self.refuse(_("A filter's arguments must be constants."))
            if node.name == "replace" and (
                not node.args or not isinstance(node.args[0], nodes.Const) or not node.args[0].value
            ):
                # "x"|replace("", …) puts the text between every two characters (a value's
                # length times the constant's: a 5 MB constant is terabytes).
                self.refuse(_("|replace needs the text to replace, not an empty one."))
            return
        if isinstance(node, nodes.Test):
            if node.name not in ALLOWED_TESTS:
                self.refuse(_("Test “%(name)s” is not allowed.") % {"name": node.name})
            self.value(node.node, scope, list_ok=True)
            for arg in node.args:
                self.value(arg, scope)
            return
        if isinstance(node, nodes.Not | nodes.Neg | nodes.Pos):
            self.value(node.node, scope, list_ok=True)
            return
        if isinstance(node, nodes.And | nodes.Or | nodes.Concat | nodes.Add):
            for child in node.nodes if isinstance(node, nodes.Concat) else (node.left, node.right):
                self.value(child, scope, list_ok=isinstance(node, nodes.And | nodes.Or))
            return
        if isinstance(node, nodes.CondExpr):
            self.value(node.test, scope, list_ok=True)
            self.value(node.expr1, scope)
            if node.expr2 is not None:
                self.value(node.expr2, scope)
            return
        if isinstance(node, nodes.Compare):
            self.value(node.expr, scope, list_ok=True)
            for op in node.ops:
                self.value(op.expr, scope, list_ok=True)
            return
        if isinstance(node, nodes.Call):
            self.refuse(_("Not allowed: calling a function or method."))
            return
        if isinstance(node, nodes.Getitem | nodes.Slice):
            self.refuse(_("Not allowed: [ ] lookups; use the documented field names."))
            return
        self.refuse(_("Not allowed in a template: %(what)s.") % {"what": type(node).__name__})

    # -- statements --------------------------------------------------------------------------

    def body(self, statements: list[nodes.Node], scope: dict[str, str]) -> None:
        # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
        from jinja2 import nodes

        for node in statements:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if not isinstance(child, nodes.TemplateData):
                        self.value(child, scope)
            elif isinstance(node, nodes.If):
                self.value(node.test, scope, list_ok=True)
                self.body(node.body, scope)
                for elif_ in node.elif_:
                    self.value(elif_.test, scope, list_ok=True)
                    self.body(elif_.body, scope)
                self.body(node.else_, scope)
            elif isinstance(node, nodes.For):
                path = self.path_of(node.iter, scope)
                if path is None or path not in LIST_PATHS:
                    self.refuse(
                        _("{%% for %%} may only walk a list field (%(fields)s).")
                        % {"fields": ", ".join(sorted(LIST_PATHS))}
                    )
                    continue
                if not isinstance(node.target, nodes.Name) or node.target.name in {"loop"}:
                    self.refuse(_("{% for %} needs one plain loop variable."))
                    continue
                if node.test is not None or node.recursive:
                    self.refuse(_("{% for %} filters and recursion are not allowed."))
                self.used.add(path)
                inner = {**scope, node.target.name: path + "[]"}
                self.body(node.body, inner)
                self.body(node.else_, scope)
            else:
                self.refuse(
                    _("Not allowed in a template: %(what)s.") % {"what": type(node).__name__}
                )


def _trial_value(path: str, *, filled: bool) -> Any:
    """A value of the shape `merge_context` gives `path` (text, or a list of item dicts)."""
    if path in LIST_PATHS:
        item = {
            p.split("[].", 1)[1]: "示例" if filled else ""
            for p in FIELD_PATHS
            if p.startswith(path + "[].")
        }
        return [item] if filled else []
    return "示例" if filled else ""


def _trial_context(*, filled: bool) -> dict[str, Any]:
    """Every field at once: all filled in (lists of one item), or all empty (empty lists)."""
    context: dict[str, Any] = {}
    for path in FIELD_PATHS:
        if "[]." in path:
            continue
        head, _dot, leaf = path.rpartition(".")
        target = context.setdefault(head, {}) if head else context
        target[leaf or path] = _trial_value(path, filled=filled)
    return context


def _trial_render(
    checker: _Checker, env: ImmutableSandboxedEnvironment, where: str, source: str
) -> None:
    """Fill the source with every field filled in, then with every field empty: a template
    that passes the check can still fail on values (`{{ matter.title + 1 }}`, `|first` of
    an empty list, a filter given too many arguments); refused now, not when a lawyer
    generates a paper."""
    template = env.from_string(source)
    for filled in (True, False):
        try:
            template.render(_trial_context(filled=filled))
        except Exception as exc:  # jinja2 and Python raise many kinds; the message says which
            if filled:
                message = _("The merge fields in the %(where)s cannot be filled: %(error)s")
            else:
                message = _(
                    "The merge fields in the %(where)s cannot be filled when fields are "
                    "empty: %(error)s"
                )
            checker.refuse(message % {"where": where, "error": exc})
            return


def template_check(content: bytes) -> list[str]:
    """The fields a DOCX template uses, sorted; ValidationError({"file": [...]}) naming every
    refused field or construct, or the error of filling it in (with every field filled in,
    and with every field empty)."""
    # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
    from jinja2 import TemplateSyntaxError

    checker = _Checker()
    env = _environment()
    try:
        sources = list(_sources(content))
    except Exception:  # a broken Word file: python-docx or lxml raise many kinds
        raise ValidationError(
            {"file": [_("This is not a Word (.docx) file that can be read.")]}
        ) from None
    for where, source in sources:
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                {
                    "file": [
                        _("The merge fields in the %(where)s are broken: %(error)s")
                        % {"where": where, "error": exc.message}
                    ]
                }
            ) from None
        errors_before = len(checker.errors)
        checker.body(tree.body, {})
        if len(checker.errors) == errors_before:
            _trial_render(checker, env, where, source)
    if checker.errors:
        raise ValidationError({"file": checker.errors})
    return sorted(checker.used)


def template_render(content: bytes, context: dict[str, Any]) -> bytes:
    """The merged DOCX. `context` holds only plain values (`fields.merge_context`). A
    template that fails on these values (one stored before the upload check filled it in)
    is a ValidationError naming the error, never a server error."""
    # jinja2 and docxtpl load when a template is checked or rendered, not at startup.
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(content))
    try:
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except Exception as exc:  # jinja2 and Python raise many kinds; the message says which
        raise ValidationError(
            {
                "template": [
                    _("The template cannot be filled for this matter: %(error)s") % {"error": exc}
                ]
            }
        ) from None
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
