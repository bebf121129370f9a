#!/usr/bin/env bash
# Refresh the Chinese catalogues: one for the project (templates/, core/, vipservice/) in locale/,
# one per domain app in <app>/locale/, so each app owns its strings. Needs GNU gettext.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-$(pwd)/.venv/bin/python}
APPS=(approvals clients dataruns managers retention servicedesk feedback analytics programme)
ignores=(--ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests --ignore=scripts --ignore=benchmarks)
for app in "${APPS[@]}"; do ignores+=("--ignore=$app"); done
"$PY" manage.py makemessages -l zh_Hans --no-obsolete --no-location "${ignores[@]}" >/dev/null
for app in "${APPS[@]}"; do
  mkdir -p "$app/locale"
  (cd "$app" && DJANGO_SETTINGS_MODULE=vipservice.settings PYTHONPATH=.. "$PY" -P -m django makemessages -l zh_Hans --no-obsolete --no-location --ignore=migrations >/dev/null)
done
