"""A template author against the sandbox: reaching past the allow-list (object attributes,
other matters through related managers, unmasked numbers of parties not on the paper), and
templates that pass the field check but fail on the values — refused at upload, and a stored
one that fails is an error message, never a server error."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.documents.models import Document
from lexcase.papers import services
from lexcase.papers.models import DocumentTemplate, Generation, TemplateVersion
from lexcase.papers.tests.helpers import demo_matter, docx_with
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def upload_errors(firm, *paragraphs: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=firm.admin,
            key="probe",
            name="probe",
            category="other",
            upload=docx_with(*paragraphs),
        )
    assert DocumentTemplate.objects.count() == 0
    return caught.value.message_dict["file"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # Python internals of the values
        ("{{ matter.__class__ }}", "Unknown field: matter.__class__"),
        ("{{ matter.number.__class__.__mro__ }}", "Unknown field: matter.number.__class__.__mro__"),
        ("{{ client.__dict__ }}", "Unknown field: client.__dict__"),
        # Other matters and parties through Django's related managers
        ("{{ client.matters.all }}", "Unknown field: client.matters.all"),
        ("{{ client.matterparty_set }}", "Unknown field: client.matterparty_set"),
        ("{{ matter.members }}", "Unknown field: matter.members"),
        ("{% for m in client.matters %}{{ m.title }}{% endfor %}", None),
        # A party's numbers only through the paper's own parties
        ("{{ party.id_number }}", "Unknown field: party.id_number"),
        ("{{ matter.client.id_number }}", "Unknown field: matter.client.id_number"),
        (
            "{{ opposing_parties[0].id_number }}",
            "Not allowed: attribute “id_number” of something that is not a field.",
        ),
        # Jinja's globals and the environment
        ("{{ range(10) }}", "Not allowed: calling a function or method."),
        ("{{ self }}", "Unknown field: self"),
        ("{{ cycler }}", "Unknown field: cycler"),
        ("{{ namespace }}", "Unknown field: namespace"),
        ("{{ config }}", "Unknown field: config"),
        # `loop` outside a {% for %} is undefined when filled in
        ("{{ loop.index }}", "Unknown field: loop.index"),
        # An empty text to replace multiplies the value by the constant
        (
            '{{ matter.title|replace("", "x") }}',
            "|replace needs the text to replace, not an empty one.",
        ),
    ],
)
def test_attributes_outside_the_allow_list_are_refused(firm, source, message):
    errors = upload_errors(firm, source)
    if message is None:
        assert errors[0].startswith("{% for %} may only walk a list field")
    else:
        assert errors == [message]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{{ matter.title + 1 }}",
            "The merge fields in the body cannot be filled: "
            'can only concatenate str (not "int") to str',
        ),
        (
            "{{ -matter.title }}",
            "The merge fields in the body cannot be filled: bad operand type for unary -: 'str'",
        ),
        (
            "{% if matter.amount > 0 %}x{% endif %}",
            "The merge fields in the body cannot be filled: "
            "'>' not supported between instances of 'str' and 'int'",
        ),
        (
            "{{ clients|join(', ', attribute='__class__') }}",
            "The merge fields in the body cannot be filled: "
            "access to attribute '__class__' of 'dict' object is unsafe.",
        ),
        (
            "{{ clients|join(', ', attribute='secret') }}",
            "The merge fields in the body cannot be filled: "
            "'dict object' has no attribute 'secret'",
        ),
        (
            "{{ matter.title|default(1, 2, 3, 4) }}",
            "The merge fields in the body cannot be filled: "
            "do_default() takes from 1 to 3 positional arguments but 5 were given",
        ),
        (
            "{{ opposing_names|first }}",
            "The merge fields in the body cannot be filled when fields are empty: "
            "No first item, sequence was empty.",
        ),
    ],
)
def test_templates_that_fail_on_the_values_are_refused_at_upload(firm, source, message):
    assert upload_errors(firm, "致：{{ client.name }}", source) == [message]


def test_item_attributes_of_the_allow_list_are_accepted(firm):
    version = services.template_upload(
        actor=firm.admin,
        key="probe",
        name="probe",
        category="other",
        upload=docx_with(
            "{{ clients|join('、', attribute='id_number') }}",
            "{% for p in opposing_parties %}{{ loop.index }}. {{ p.name }}{% endfor %}",
        ),
    )
    assert version.fields == ["clients", "opposing_parties", "opposing_parties[].name"]


def _stored_unchecked(firm, source: str) -> None:
    """A template stored before the upload check filled templates in (bypassing it)."""
    content = docx_with(source).read()
    template = DocumentTemplate.objects.create(key="old", name="旧模板", category="other")
    version = TemplateVersion.objects.create(
        template=template,
        number=1,
        content=content,
        original_name="old.docx",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        fields=["matter.title"],
        uploaded_by=firm.admin,
    )
    template.current = version
    template.save()


def test_a_stored_template_that_fails_is_an_error_message_not_a_server_error(firm):
    matter = demo_matter(firm)
    _stored_unchecked(firm, "{{ matter.title + 1 }}")
    error = (
        'The template cannot be filled for this matter: can only concatenate str (not "int") to str'
    )
    page = client_for(firm.lead)
    page.cookies.load({"django_language": "en"})
    response = page.post(
        f"/matters/{matter.pk}/papers/generate/", {"template": "old"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    # The papers page again with the template chosen and why (422), not a redirect.
    assert response.status_code == 422
    assert response.context["chosen"].key == "old"
    assert error.replace('"', "&quot;") in response.content.decode()
    _token, raw = api_token_create(user=firm.lead, name="t")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    answer = api.post(
        f"/api/v1/matters/{matter.pk}/documents/generate",
        {"template": "old"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (answer.status_code, answer.json()) == (
        422,
        {"errors": [{"field": "template", "message": error}]},
    )
    assert Document.objects.filter(matter=matter).count() == 0
    assert Generation.objects.count() == 0
