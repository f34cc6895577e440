"""The `static` template library (settings.TEMPLATES `libraries`): Django's, with the kept
`{% static %}` URL of lexcase/core/fasttags.py."""

from lexcase.core.fasttags import static_library as register

__all__ = ["register"]
