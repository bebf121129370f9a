"""The early warning runs as a step of the night (``programme.services.night_run_execute``),
after the reclassification of the same business date."""
