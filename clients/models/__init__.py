"""The clients app's models, one module per concern: ``client`` (the client, accounts, balances,
trades), ``policy`` (the VIP rule's versions, overrides, status history) and ``records`` (imported
master-data history and uploads). Imported here so ``clients.models`` stays the one place callers
and Django's app registry read them from."""

from .client import (
    CLIENT_PII_FIELDS,
    VIP_STATUSES,
    Account,
    Balance,
    Client,
    ClientKind,
    ClientQuerySet,
    ContactChannel,
    RiskLevel,
    Trade,
    VipStatus,
)
from .policy import AssetMeasure, StatusChange, StatusOverride, VipPolicy, validate_review_dates
from .records import ClientChange, CorebankingUpload, UploadStatus, upload_lock

__all__ = [
    "CLIENT_PII_FIELDS",
    "VIP_STATUSES",
    "Account",
    "AssetMeasure",
    "Balance",
    "Client",
    "ClientChange",
    "ClientKind",
    "ClientQuerySet",
    "ContactChannel",
    "CorebankingUpload",
    "RiskLevel",
    "StatusChange",
    "StatusOverride",
    "Trade",
    "UploadStatus",
    "VipPolicy",
    "VipStatus",
    "upload_lock",
    "validate_review_dates",
]
