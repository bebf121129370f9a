"""Writes of the data runs: taking the core bank's nightly sets from the inbox (SPEC section 2),
the "data late" alert (``intake``), and the records of each reclassification run (SPEC sections 3
and 8, ``nights``)."""

from dataruns.services.intake import (
    ERRORS_KEPT,
    IntakeResult,
    data_late_check,
    inbox_take,
    intake_run_url,
    set_take,
)
from dataruns.services.nights import (
    RUN_STALE_AFTER,
    RunRefused,
    night_run_beat,
    night_run_claim,
    night_run_finish,
    night_run_retry,
    night_run_start,
    night_run_supersede,
)

__all__ = [
    "ERRORS_KEPT",
    "RUN_STALE_AFTER",
    "IntakeResult",
    "RunRefused",
    "data_late_check",
    "inbox_take",
    "intake_run_url",
    "night_run_beat",
    "night_run_claim",
    "night_run_finish",
    "night_run_retry",
    "night_run_start",
    "night_run_supersede",
    "set_take",
]
