"""The data runs' jobs are started by the programme app (``programme.tasks``), which runs the
intake and the reclassification in order; this app records them."""
