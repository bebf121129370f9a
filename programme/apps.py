from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The VIP programme's steps that span apps (the nightly job, the VIP export). No models: it
    sits above clients, managers and servicedesk and calls their services."""

    name = "programme"
    verbose_name = _("VIP programme")

    def ready(self) -> None:
        # Core may not import the programme: it runs this before every nightly job instead.
        from core.jobruns import NIGHTLY_PREAMBLE  # noqa: PLC0415 - AppConfig.ready
        from programme.services import nights_resume  # noqa: PLC0415 - AppConfig.ready

        if nights_resume not in NIGHTLY_PREAMBLE:
            NIGHTLY_PREAMBLE.append(nights_resume)
