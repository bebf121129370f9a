"""Settings for the page benchmark (benchmarks/run_pages.py): the product's own settings module,
run with DJANGO_ENV=production by the runner, plus a URLconf that adds the baseline views. Nothing
here is part of the product."""

from vipservice.settings import *  # noqa: F403
from vipservice.settings import BASE_DIR

ROOT_URLCONF = "pages_urls"
# collectstatic's output for the manifest storage of production mode, kept out of the tree.
STATIC_ROOT = BASE_DIR / "benchmarks" / "data" / "staticfiles"
