"""How the client-update cadence follows a matter (connected in `CommsConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lexcase.comms.services import client_update_mark_due, communications_anonymise
from lexcase.matters.events import matter_development, matter_stage_changed, scrub_on_anonymised
from lexcase.matters.models import Stage


def stage_changed(*, matter: Any, stage: str, **_kwargs: Any) -> None:
    # An important development: the client must be told now (issue #7).
    client_update_mark_due(
        matter=matter, reason=_("Stage changed to %(stage)s") % {"stage": Stage(stage).label}
    )


def development(*, matter: Any, reason: str, **_kwargs: Any) -> None:
    client_update_mark_due(matter=matter, reason=reason)


def connect() -> None:
    scrub_on_anonymised(communications_anonymise, uid="comms.party_anonymised")
    matter_stage_changed.connect(stage_changed, dispatch_uid="comms.stage_changed")
    matter_development.connect(development, dispatch_uid="comms.development")
