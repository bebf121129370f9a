#!/usr/bin/env python3
"""Where a page's Python time goes, on the page benchmark's database: the share of each
middleware, and a sampling profile (pyinstrument) of N requests of one page.

    PYTHONPATH=/path/to/pyinstrument benchmarks/profile_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/vip_pages_bench --only "ticket queue" -n 40

Needs a database filled by ``run_pages.py`` (the personas of ``explain_pages.py``). The settings
are the served ones (``DJANGO_ENV=production``, DEBUG off, the cached template loader), requests
go through Django's full handler and middleware (the test client's), each page is warmed first.
pyinstrument is not a dependency of the product: install it anywhere (``pip install --target
DIR pyinstrument``) and put DIR on ``PYTHONPATH``; without it only the middleware table prints.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

TIMER = "profile_pages.Stopwatch"


class Stopwatch:
    """Inserted between every two middlewares: records the time spent from here inward, so
    the difference between two neighbours is what the middleware between them costs."""

    spent: dict[int, float] = {}

    def __init__(self, get_response, index: int):
        self.get_response, self.index = get_response, index

    def __call__(self, request):
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            self.spent[self.index] = self.spent.get(self.index, 0.0) + (
                time.perf_counter() - started
            )


def _stopwatch_classes(count: int) -> list[str]:
    """Stopwatch_0 ... Stopwatch_N as importable names (settings.MIDDLEWARE takes paths)."""
    module = sys.modules[__name__]
    # Run as a script, this module is __main__: let the middleware loader find it by name.
    sys.modules.setdefault("profile_pages", module)
    names = []
    for index in range(count + 1):
        name = f"Stopwatch_{index}"
        setattr(
            module,
            name,
            type(
                name, (Stopwatch,), {"__init__": lambda s, g, i=index: Stopwatch.__init__(s, g, i)}
            ),
        )
        names.append(f"profile_pages.{name}")
    return names


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/vip_pages_bench"
    )
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--only", help="only the scenarios whose name contains this")
    parser.add_argument("-n", type=int, default=30, help="requests per page")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML here")
    parser.add_argument("--flat", type=int, default=40, help="functions in the flat profile")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="cProfile on CPU time (time.process_time) instead of pyinstrument's wall clock: on "
        "a loaded machine the wall clock is mostly the wait for a CPU",
    )
    parser.add_argument("--callees", help="with --cpu: what the functions matching this call")
    parser.add_argument("--no-profile", action="store_true", help="time only (CPU ms/request)")
    return parser.parse_args(argv)


class Sampler:
    """pyinstrument (wall clock), cProfile on CPU time (``--cpu``), or nothing."""

    def __init__(self, args):
        self.args, self.wall, self.cpu = args, None, None
        if args.cpu:
            self.cpu = cProfile.Profile(time.process_time)
        elif not args.no_profile:
            try:
                from pyinstrument import Profiler  # noqa: PLC0415 - optional, not a dependency
            except ImportError:
                return
            self.wall = Profiler(interval=0.001)

    def __enter__(self):
        if self.cpu:
            self.cpu.enable()
        if self.wall:
            self.wall.start()
        return self

    def __exit__(self, *exc):
        if self.cpu:
            self.cpu.disable()
        if self.wall:
            self.wall.stop()

    def report(self) -> None:
        if self.cpu:
            stats = pstats.Stats(self.cpu)
            stats.sort_stats("tottime").print_stats(self.args.flat)
            stats.sort_stats("cumulative").print_stats(self.args.flat)
            if self.args.callees:
                stats.print_callees(self.args.callees)
        if self.wall:
            from pyinstrument.renderers import ConsoleRenderer  # noqa: PLC0415 - optional

            print(self.wall.output_text(unicode=True, color=False, show_all=False))
            flat = ConsoleRenderer(flat=True, time="percent_of_total", show_all=True)
            print("\n".join(self.wall.output(flat).splitlines()[: self.args.flat + 6]))
            if self.args.html:
                self.args.html.write_text(self.wall.output_html())


def _settings(args) -> list[str]:
    """The served settings, with a stopwatch between every two middlewares; returns the
    product's middleware list."""
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="pages_settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="page-benchmark-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    from django.conf import settings  # noqa: PLC0415 - after the environment is set

    middleware = list(settings.MIDDLEWARE)
    watches = _stopwatch_classes(len(middleware))
    settings.MIDDLEWARE = [
        x for pair in zip(watches, [*middleware, None], strict=True) for x in pair if x
    ]
    return middleware


def _page(args, scenario, user, middleware: list[str]) -> None:
    from django.db import connection  # noqa: PLC0415 - Django is set up by main()
    from django.test import Client as HttpClient  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    http = HttpClient(headers={"X-Fragment": "1", "Accept-Language": "zh-hans"})
    http.force_login(user)
    urls = [scenario.urls[i % len(scenario.urls)] for i in range(args.n)]
    for url in urls[:3]:
        http.get(url)
    Stopwatch.spent.clear()
    with CaptureQueriesContext(connection) as captured, Sampler(args) as sampler:
        started, cpu_started = time.perf_counter(), time.process_time()
        for url in urls:
            response = http.get(url)
            # A search with one match redirects to the dossier (not followed).
            assert response.status_code in (200, 302), (url, response.status_code)
        total = (time.perf_counter() - started) * 1000 / len(urls)
        cpu = (time.process_time() - cpu_started) * 1000 / len(urls)
    db_ms = sum(float(q["time"]) * 1000 for q in captured.captured_queries) / len(urls)
    print(
        f"\n=== {scenario.name}: {total:.1f} ms/request ({cpu:.1f} ms CPU), "
        f"{len(captured.captured_queries) / len(urls):.1f} queries, {db_ms:.1f} ms in them"
    )
    spent = [Stopwatch.spent.get(i, 0.0) * 1000 / len(urls) for i in range(len(middleware) + 1)]
    for index, name in enumerate(middleware):
        print(f"  {spent[index] - spent[index + 1]:6.2f} ms  {name}")
    print(f"  {spent[len(middleware)]:6.2f} ms  the view (incl. rendering)")
    sampler.report()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    middleware = _settings(args)
    import django  # noqa: PLC0415 - after the settings

    django.setup()
    import explain_pages  # noqa: PLC0415 - needs Django set up
    import run_pages  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    # Production settings serve hashed static names from the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    users, facts = explain_pages.personas()
    for scenario in run_pages.scenarios(facts):
        if scenario.persona is None or (args.only and args.only not in scenario.name):
            continue
        _page(args, scenario, users[scenario.persona], middleware)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
