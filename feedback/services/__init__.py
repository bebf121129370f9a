"""Writes of the feedback app, one module per concern: opening a ticket from any channel
(``opening``; the public web form's submissions in ``web_form``), handling it (``handling``), answers to the client (``replies``, with ``client_mail``), whom staff
notices go to (``notices``), the SLA sweep (``escalation``), surveys (``surveys``), unhappy
clients' follow-ups (``unhappy_clients``), API keys (``api_keys``) and audit records of reads
(``audit``). Views, admin actions, the API, tasks and the mail poller all call these."""
