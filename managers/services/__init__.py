"""Writes of the managers app, one module per concern: selecting RMs (``selection``), training
(``training``), which RM looks after which client (``assignments``), a VIP's reassignment under
four eyes (``reassignment``) and the on-call rota (``rota``)."""
