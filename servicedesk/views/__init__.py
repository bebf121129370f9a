"""Pages of the service desk, one module per area: the hotline console (``hotline``), the
call-back worklist (``callbacks``), wealth plans (``plans``) and VIP events (``events``)."""
