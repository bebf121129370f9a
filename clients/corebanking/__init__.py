"""The core-banking import (SPEC section 2): the files' columns and row parsing (``parse``), the
same checks in SQL (``sql``), the row-by-row staging path (``stage``), the PostgreSQL COPY fast
path (``fastcopy``), the upserts (``upsert``) and the entry point (``importer``)."""
