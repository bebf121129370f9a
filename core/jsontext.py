"""JSON from outside (the mobile app's request bodies, the core bank's manifests), read once:
any text that is not JSON a program can use is ``ValueError``, whatever the decoder's own error.
``json.loads`` raises more than ``JSONDecodeError`` on hostile text: a plain ``ValueError`` for an
integer of more than 4,300 digits (Python's limit on int/str conversion) and ``RecursionError``
for arrays or objects nested thousands deep; either used to be a 500 from the API."""

import json
from typing import Any


def json_loads(text: str) -> Any:
    """``json.loads(text)``; raises ``ValueError`` (``json.JSONDecodeError`` for text that is
    not JSON) for anything it cannot read."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
