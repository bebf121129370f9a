"""The VIP rule of SPEC section 3, each part defined once: its calendar (``window``), what it
measures (``measures``: assets and trades), its criteria (``criteria``), where a status goes
(``rule``: overrides, grace period), the set-based statement for every client (``sql``, with
``dialect`` for what the databases spell differently), the nightly run (``reclassify``), one
client's explanation and outcome (``explain``) and supervisors' overrides (``overrides``)."""
