"""Chinese for the names third-party apps show in Django admin (issue 14): django-axes and
django-auditlog ship no zh-Hans catalogue, so their model and field names are listed here with
``gettext_noop`` for ``makemessages`` to keep them in the project catalogue (locale/, first in
``LOCALE_PATHS``), where Django finds them before the apps' own. The ids must be exactly the
apps' msgids (tests/core/test_admin_in_chinese.py reads them off the models)."""

from django.utils.translation import gettext_noop

THIRD_PARTY_MSGIDS = (
    # django-axes models
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django-auditlog's model
    gettext_noop("log entry"),
    gettext_noop("log entries"),
)
