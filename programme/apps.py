from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """The VIP programme's steps that span apps (the nightly job, the VIP export). No models: it
    sits above clients, managers and servicedesk and calls their services."""

    name = "programme"
    verbose_name = _("VIP programme")
