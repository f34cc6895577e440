"""Django's template backend, with each page's context let go of once its text is made.

Django's template `Context` and the dicts it pushes (`{% for %}`, `{% with %}`, each include,
the render context's state per template) refer to each other (`ContextDict.context`): a
reference cycle. Everything the page was given (a list page's 51 matters, their leads and
amounts, the form, the request) hangs from that cycle, so none of it is freed when the view
returns; it waits for the garbage collector, about 450 objects a list page, and its
generation-0 collections (≈ 0.7 ms each, one request in four to seven on the matter list)
are paid by whichever request crosses the threshold (docs/benchmarks.md, "Matter list and
q=", "The request's garbage"). Emptying the context's stacks after rendering breaks the
cycles, so the page's objects go when the response is written, as any other object does.

What is rendered is Django's, unchanged. A context is not used after its template has
rendered (the test client keeps copies of it, with their own stacks, `Context.__copy__`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.backends import django as django_backend
from django.template.backends.django import reraise
from django.template.context import Context, make_context
from django.utils.safestring import SafeString


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code: str) -> Template:
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name: str) -> Template:
        try:
            return Template(self.engine.get_template(template_name), self)
        except TemplateDoesNotExist as exc:
            reraise(exc, self)


class Template(django_backend.Template):
    def render(
        self, context: dict[str, Any] | None = None, request: HttpRequest | None = None
    ) -> SafeString:
        ctx = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(ctx)
        except TemplateDoesNotExist as exc:
            reraise(exc, self.backend)
        finally:
            release(ctx)


def release(context: Context) -> None:
    """Empty `context`'s stacks (its own and its render context's): the pushed dicts no
    longer reach the context, nor it them, so both are freed by their reference counts."""
    context.dicts.clear()
    context.render_context.dicts.clear()
