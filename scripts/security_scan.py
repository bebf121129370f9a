"""Scan the product with tools no one here wrote and write security/REPORT.md (issue 13).

    .venv/bin/python scripts/security_scan.py [--quick]

Starts the app in production mode behind gunicorn on 127.0.0.1 (a free port) with the demo bank in
a scratch SQLite database (or DATABASE_URL), signs in as supervisor and as RM, and runs:

- Debian's wapiti (modules sql, blindsql, xss, exec, file, http_headers, cookieflags, csp,
  redirect) over the supervisor's and the RM's session, through a small local proxy that refuses
  the logout and password-change URLs (wapiti's crawler submits the logout form otherwise, and
  wapiti 3.0.4's ``-x`` crashes on Debian's Python, see MACHINE-NOTES).
- Debian's sqlmap (``--batch --technique=BEUS``) on every list, search, filter and API parameter.
- bandit (installed into var/scan/venv) on the application code.

Findings are listed with the judgement recorded in security/judgements.json (``UNJUDGED`` when a
new finding appears). Too slow for CI: run by hand before a release. Needs
``apt-get install -y --no-install-recommends wapiti sqlmap``.
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "scan"
PY = ROOT / ".venv" / "bin" / "python"
PASSWORD = "VipDemo!2026"
WAPITI_MODULES = "sql,blindsql,xss,exec,file,http_headers,cookieflags,csp,redirect"
APPS = ["analytics", "approvals", "clients", "core", "dataruns", "feedback", "managers"]
APPS += ["programme", "retention", "servicedesk", "vipservice"]
# Every list, search and filter parameter (GET), as the pages use them; ids are the demo bank's.
SQLMAP_GET = [
    (
        "supervisor",
        "/clients/?q=Wang&status=vip&kind=personal&branch=1&rm=1&at_risk=false&sort=name&page=1",
    ),
    ("supervisor", "/clients/export/?q=Wang&status=vip&kind=personal&branch=1&rm=1&sort=name"),
    ("supervisor", "/clients/1/panel/clients.trades/?tpage=1"),
    (
        "supervisor",
        "/feedback/?channel=phone&category=complaint&status=all&handler=1&breached=breached"
        "&sort=received&page=1",
    ),
    (
        "supervisor",
        "/feedback/export.csv?channel=phone&category=complaint&status=all&handler=1"
        "&breached=breached&sort=received",
    ),
    ("supervisor", "/feedback/mail/held/?kind=quarantined&page=1"),
    ("supervisor", "/feedback/new/?client=1&channel=phone"),
    ("supervisor", "/managers/?branch=1&flag=over&sort=name&page=1"),
    ("supervisor", "/managers/candidates/?branch=1&sort=name&page=1"),
    ("supervisor", "/managers/training/?branch=1&lapsed=1&sort=name&page=1"),
    ("supervisor", "/managers/rota/?start=2026-11-23"),
    ("supervisor", "/analytics/?year=2026&month=11"),
    ("supervisor", "/analytics/export/?year=2026&month=11&format=csv&table=summary"),
    ("supervisor", "/analytics/breakdown/?year=2026&by=branch&sort=name"),
    ("supervisor", "/approvals/?status=pending&page=1"),
    ("supervisor", "/service/events/?when=upcoming&year=2026&sort=date&page=1"),
    ("supervisor", "/service/events/1/?rsvp=accepted"),
    ("rm", "/service/callbacks/?tab=open&q=Wang&sort=due&page=1"),
    ("rm", "/service/plans/?status=active&review=due&q=Wang&sort=client&page=1"),
    ("rm", "/service/plans/new/?client_no=DC000001"),
    ("rm", "/analytics/my-figures/?year=2026"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(port: int) -> dict:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'scan.sqlite3'}")
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",  # plain HTTP on the loopback only
        AXES_ENABLED="false",  # the scanners sign in many times
        HOTLINE_LOOKUP_LIMIT="0",
        API_RATE_LIMIT="0",
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def run(cmd: list[str], env: dict, log: Path, timeout: int) -> int:
    with log.open("w") as out:
        try:
            return subprocess.run(
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            out.write(f"\n[security_scan] stopped after {timeout} s\n")
            return -1


def prepare(env: dict) -> None:
    dev = dict(env, DJANGO_ENV="development")  # seed_demo refuses production mode
    for args in (["migrate", "--noinput"], ["seed_demo"], ["collectstatic", "--noinput"]):
        cmd = [str(PY), "manage.py", *args]
        subprocess.run(
            cmd,
            env=dev if args[0] != "collectstatic" else env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )


def start(env: dict, port: int) -> subprocess.Popen:
    log = (WORK / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "vipservice.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start; see var/scan/gunicorn.log")


def sign_in(base: str, username: str) -> dict[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", body, headers={"Referer": base})
    opener.open(request)
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in as {username}")
    return cookies


REFUSED = ("/accounts/logout/", "/accounts/password/", "/language/")


def refusing_proxy(port: int) -> ThreadingHTTPServer:
    """A forward proxy for wapiti that answers 403 for URLs that would end or change the scanned
    session (logout, password change, language switch) and relays everything else."""

    class Relay(BaseHTTPRequestHandler):
        def _relay(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path.startswith(REFUSED):
                self.send_error(403, "kept out of the scan")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            request = urllib.request.Request(self.path, body, headers, method=self.command)
            try:
                reply = urllib.request.build_opener(NoRedirect).open(request, timeout=60)
            except urllib.error.HTTPError as error:
                reply = error
            data = reply.read()
            self.send_response(reply.status if hasattr(reply, "status") else reply.code)
            for key, value in reply.headers.items():
                if key.lower() not in HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _relay

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Relay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"}


def wapiti(base: str, who: str, cookies: dict, env: dict, quick: bool) -> Path:
    jar = WORK / f"cookies-{who}.json"
    attrs = {"expires": None, "secure": False, "port": None, "version": 0}
    jar.write_text(
        json.dumps({"127.0.0.1": {"/": {k: {"value": v, **attrs} for k, v in cookies.items()}}})
    )
    report = WORK / f"wapiti-{who}.json"
    cmd = [
        "wapiti",
        "-u",
        f"{base}/",
        "-c",
        str(jar),
        "-m",
        WAPITI_MODULES,
        "--scope",
        "folder",
        "--skip",
        "csrfmiddlewaretoken",
        "--flush-session",
        "-f",
        "json",
        "-o",
        str(report),
        "--max-scan-time",
        "300" if quick else "900",
        "--max-attack-time",
        "60" if quick else "180",
        "-d",
        "3" if quick else "5",
        "--store-session",
        str(WORK / "wapiti-session"),
        "--no-bugreport",
        "-v",
        "1",
        "-p",
        f"http://127.0.0.1:{env['SCAN_PROXY_PORT']}",
    ]
    run(cmd, env, WORK / f"wapiti-{who}.log", timeout=1200 if quick else 3600)
    return report


def sqlmap_targets(base: str, ticket: dict | None = None) -> list[tuple]:
    """(who, url, POST body or None, extra sqlmap options) for every parameter under test.

    ``ticket`` is a ticket the scan created through the API (reference and secret), so the status
    read is tested on a real reference with its secret rather than stopping at the 404."""
    targets = [(who, base + path, None, []) for who, path in SQLMAP_GET]
    # The hotline's look-up is a POSTed search field (the number never goes in a URL).
    targets.append(
        (
            "rm",
            f"{base}/service/hotline/",
            "phone=13800138000&csrfmiddlewaretoken=x",
            ["--csrf-token=csrfmiddlewaretoken", f"--csrf-url={base}/service/hotline/"],
        )
    )
    api_body = json.dumps(
        {"client_no": "DC000001", "category": "inquiry", "subject": "s", "description": "d"}
    )
    targets.append(("api", f"{base}/feedback/api/v1/tickets", api_body, []))
    ref, secret = (ticket or {}).get("reference", "FB-0"), (ticket or {}).get("secret", "x")
    targets.append(
        ("api", f"{base}/feedback/api/v1/tickets/{ref}*", None, [f"X-Ticket-Secret: {secret}"])
    )
    return targets


def sqlmap_result(n: int, who: str, url: str, base: str, code: int) -> dict:
    """What sqlmap's log for target ``n`` says: injectable parameters and requests tested."""
    log = WORK / f"sqlmap-{n}.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return {
        "url": url.replace(base, ""),
        "as": who,
        "exit": code,
        "injectable": sorted(set(re.findall(r"Parameter: (.+?) \(", text))),
        "tested": len(re.findall(r"testing '|heuristic \(basic\) test", text)),
        "stopped": "page not found (404)" in text,
        "ran": bool(text),
    }


def sqlmap(base: str, env: dict, quick: bool, ticket: dict, only: set[str]) -> None:
    """sqlmap on every target of the sessions in ``only``, each with a session signed in just
    before it (an idle session expires after SESSION_IDLE_TIMEOUT, 30 minutes, while others
    run: a stale cookie would have sqlmap test the sign-in page)."""
    for n, (who, url, data, extra) in enumerate(sqlmap_targets(base, ticket)):
        if who not in only:
            continue
        out = WORK / f"sqlmap-{n}"
        cmd = [
            "sqlmap",
            "-u",
            url,
            "--batch",
            "--technique=BEUS",
            "--output-dir",
            str(out),
            "--disable-coloring",
            "--flush-session",
            "--smart" if quick else "--level=1",
        ]
        if data:
            cmd += ["--data", data]
        if who == "api":
            headers = [f"Authorization: Bearer {env['SCAN_API_KEY']}", *extra]
            cmd += ["--headers", "\n".join(headers)]
        else:
            cookie = "; ".join(f"{k}={v}" for k, v in sign_in(base, who).items())
            cmd += ["--cookie", cookie, *extra]
        code = run(cmd, env, WORK / f"sqlmap-{n}.log", timeout=300 if quick else 900)
        progress(f"sqlmap-{n}: {url.replace(base, '')} exit {code}")


def progress(line: str) -> None:
    """One line per finished step in var/scan/progress.log, so a run stopped early says how far
    it got."""
    with (WORK / "progress.log").open("a") as out:
        out.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def api_ticket(base: str, key: str) -> dict:
    """A ticket created through the API as the app would: its reference and secret."""
    body = json.dumps(
        {"client_no": "DC000001", "category": "inquiry", "subject": "scan", "description": "scan"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/feedback/api/v1/tickets",
        body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def bandit() -> Path:
    venv = WORK / "venv"
    if not (venv / "bin" / "bandit").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "bandit"], check=True)
    report = WORK / "bandit.json"
    subprocess.run(
        [
            str(venv / "bin" / "bandit"),
            "-r",
            *APPS,
            "-x",
            "*/migrations/*,*/tests/*",
            "-f",
            "json",
            "-o",
            str(report),
            "-q",
        ],
        cwd=ROOT,
        check=False,
    )
    return report


def issue_api_key(env: dict) -> str:
    code = (
        "from feedback.services.api_keys import api_key_issue;"
        "print(api_key_issue(name='security scan', channel='app')[1])"
    )
    done = subprocess.run(
        [str(PY), "manage.py", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter scans")
    parser.add_argument(
        "--report-only", action="store_true", help="re-render REPORT.md from var/scan's outputs"
    )
    parser.add_argument(
        "--only",
        help="comma-separated sessions (supervisor, rm, api) to scan again, keeping the other "
        "outputs of the last run in var/scan",
    )
    args = parser.parse_args()
    if args.report_only:
        report_again()
        return
    only = set(args.only.split(",")) if args.only else {"supervisor", "rm", "api"}
    if not args.only:
        shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = environment(port)
    base = f"http://127.0.0.1:{port}"
    started = time.time()
    prepare(env)
    env["SCAN_API_KEY"] = issue_api_key(env)
    server = start(env, port)
    proxy_port = free_port()
    env["SCAN_PROXY_PORT"] = str(proxy_port)
    proxy = refusing_proxy(proxy_port)
    still_in = {}
    try:
        ticket = api_ticket(base, env["SCAN_API_KEY"])
        # sqlmap runs beside wapiti's crawls, each target with its own fresh session.
        sqlmap_thread = threading.Thread(target=sqlmap, args=(base, env, args.quick, ticket, only))
        sqlmap_thread.start()
        for who in ("supervisor", "rm"):
            if who in only:
                # Signed in just before its crawl: the other crawl may outlast the idle timeout.
                cookies = sign_in(base, who)
                wapiti(base, who, cookies, env, args.quick)
                still_in[who] = sign_in_check(base, {who: cookies})[who]
                progress(f"wapiti {who} done")
        sqlmap_thread.join()
    finally:
        proxy.shutdown()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not args.only or not (WORK / "bandit.json").exists():
        bandit()
        progress("bandit done")
    state = WORK / "state.json"
    saved = json.loads(state.read_text()) if args.only and state.exists() else {}
    saved["still_in"] = {**saved.get("still_in", {}), **still_in}
    saved["seconds"] = saved.get("seconds", 0) + time.time() - started
    state.write_text(json.dumps(saved))
    report_again()


def report_again() -> None:
    """REPORT.md from the outputs a previous run left in var/scan (after judging findings)."""
    base = "http://127.0.0.1"
    results = [
        sqlmap_result(n, who, url, base, 0)
        for n, (who, url, _data, _extra) in enumerate(sqlmap_targets(base))
    ]
    reports = {who: WORK / f"wapiti-{who}.json" for who in ("supervisor", "rm")}
    state = WORK / "state.json"
    saved = json.loads(state.read_text()) if state.exists() else {"still_in": {}, "seconds": 0}
    write_report(reports, results, WORK / "bandit.json", saved["still_in"], saved["seconds"])


def sign_in_check(base: str, sessions: dict) -> dict[str, bool]:
    """Whether each scanned session was still signed in after the crawl (it must be)."""
    state = {}
    for who, cookies in sessions.items():
        request = urllib.request.Request(
            f"{base}/", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        )
        opener = urllib.request.build_opener(NoRedirect)
        try:
            state[who] = opener.open(request).status == 200
        except urllib.error.HTTPError:
            state[who] = False
    return state


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def write_report(wapiti_reports, sqlmap_results, bandit_report, still_in, seconds) -> None:
    from security_report import render  # noqa: PLC0415 - sibling script, loaded after the run

    text = render(
        wapiti_reports=wapiti_reports,
        sqlmap_results=sqlmap_results,
        bandit_report=bandit_report,
        still_in=still_in,
        seconds=seconds,
        judgements=json.loads((ROOT / "security" / "judgements.json").read_text()),
    )
    (ROOT / "security" / "REPORT.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
