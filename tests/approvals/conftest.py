import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Services outside a request speak the default language (Chinese); these tests read English."""
    with translation.override("en"):
        yield
