"""The `i18n` template library (settings.TEMPLATES `libraries`): Django's, with the faster
literal `{% translate %}` of lexcase/core/fasttags.py."""

from lexcase.core.fasttags import i18n as register

__all__ = ["register"]
