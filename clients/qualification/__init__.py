"""The VIP rule of SPEC section 3: its calendar (``window``), the rule for one client
(``rule``), the same rule as set-based SQL (``sql``), the nightly run (``reclassify``), one
client's explanation (``explain``, ``measures``) and supervisors' overrides (``overrides``)."""
