from __future__ import annotations

from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "lexcase.matters"
    label = "matters"

    def ready(self) -> None:
        # Notifications sit below the gate and cannot import it: hand it to them. Imported
        # here because the gate imports models, loaded only once apps are ready.
        from lexcase.matters import selectors
        from lexcase.notifications.gate import MatterGate, gate_install

        gate_install(
            MatterGate(
                visible_to=selectors.matters_visible_to, is_visible=selectors.matter_is_visible
            )
        )
