"""What can be proposed for approval, registered by the apps that own the change.

A handler has three functions over the proposal's ``payload`` (a JSON object):
- ``check(payload)`` raises ``ValidationError`` when the change cannot be made (now);
- ``apply(payload, proposed_by=..., approved_by=...)`` makes the change (inside the approval's
  transaction, so a failure leaves the proposal pending);
- ``describe(payload)`` returns ``[(label, value), ...]`` for the proposal page, translated when
  called.

Apps register in ``AppConfig.ready()``; this module imports no app, so no cycle arises.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApprovalHandler:
    kind: str
    check: Callable[[dict], None]
    apply: Callable[..., Any]
    describe: Callable[[dict], list[tuple[Any, Any]]]


_handlers: dict[str, ApprovalHandler] = {}


def register_approval_handler(*, kind: str, check, apply, describe) -> None:
    _handlers[kind] = ApprovalHandler(kind, check, apply, describe)


def handler_for(kind: str) -> ApprovalHandler:
    """The handler of ``kind``; ``KeyError`` when no app registered one."""
    return _handlers[kind]
