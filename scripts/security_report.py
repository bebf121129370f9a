"""Render security/REPORT.md from the scanners' outputs (used by scripts/security_scan.py)."""

import json
import re
from pathlib import Path

LEVELS = {"4": "critical", "3": "high", "2": "medium", "1": "low", "0": "info"}
SERIOUS = {"critical", "high", "medium"}


def _judged(judgements: dict, *keys: str) -> str:
    for key in keys:
        if key in judgements:
            return judgements[key]
    return "UNJUDGED"


def _wapiti_rows(reports: dict, judgements: dict) -> list[tuple]:
    rows = []
    for who, path in reports.items():
        if not Path(path).exists():
            rows.append((who, "-", "-", "-", "no report (see var/scan/wapiti-*.log)", "UNJUDGED"))
            continue
        data = json.loads(Path(path).read_text())
        for section in ("vulnerabilities", "anomalies"):
            for category, items in (data.get(section) or {}).items():
                for item in items:
                    level = LEVELS.get(str(item.get("level", "")), str(item.get("level", "")))
                    where = f"{item.get('method', '')} {item.get('path', '')}"
                    key = f"wapiti:{category}"
                    judgement = _judged(judgements, f"{key}:{item.get('path', '')}", key)
                    rows.append((who, category, level, where, item.get("info", ""), judgement))
    return rows


def wapiti_coverage(log: Path) -> dict:
    """What wapiti's log (``-v 1``) says it did: URLs and forms the crawl found, and for each attack
    module the URLs it attacked and whether its time budget (``--max-attack-time``) cut it short,
    so the report says how much of the crawl each module really covered."""
    text = Path(log).read_text(errors="replace") if Path(log).exists() else ""
    found = re.search(r"Wapiti found (\d+) URLs and forms", text)
    modules = {}
    for block in re.split(r"\[\*\] Launching module ", text)[1:]:
        name, _, body = block.partition("\n")
        modules[name.strip()] = {
            "attacked": len(re.findall(r"^\[\+\] ", body, flags=re.M)),
            "cut": "Max attack time was reached" in body,
        }
    return {"found": int(found.group(1)) if found else None, "modules": modules}


def _coverage_lines(logs: dict) -> list[str]:
    lines = [
        "",
        "### What wapiti covered",
        "",
        "| session | URLs and forms crawled | module | URLs attacked | stopped by its time budget |",
        "|---|---|---|---|---|",
    ]
    for who, log in logs.items():
        cover = wapiti_coverage(log)
        if not cover["modules"]:
            lines.append(f"| {who} | {cover['found'] or '-'} | - | not run | - |")
        for name, module in cover["modules"].items():
            cut = "yes" if module["cut"] else "no"
            lines.append(
                f"| {who} | {cover['found'] or '-'} | {name} | {module['attacked']} | {cut} |"
            )
    return lines


def _bandit_rows(report: Path, judgements: dict) -> list[tuple]:
    if not Path(report).exists():
        return [("-", "-", "-", "no report", "UNJUDGED")]
    rows = []
    for item in json.loads(Path(report).read_text()).get("results", []):
        key = f"bandit:{item['test_id']}"
        judgement = _judged(judgements, f"{key}:{item['filename']}", key)
        where = f"{item['filename']}:{item['line_number']}"
        rows.append(
            (item["test_id"], item["issue_severity"].lower(), where, item["issue_text"], judgement)
        )
    return rows


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:300]


def render(*, wapiti_reports, sqlmap_results, bandit_report, still_in, seconds, judgements) -> str:
    wapiti_rows = _wapiti_rows(wapiti_reports, judgements)
    bandit_rows = _bandit_rows(bandit_report, judgements)
    injectable = [r for r in sqlmap_results if r["injectable"]]
    unjudged_serious = [r for r in wapiti_rows if r[2] in SERIOUS and r[5] == "UNJUDGED"]
    unjudged_serious += [r for r in bandit_rows if r[1] in SERIOUS and r[4] == "UNJUDGED"]
    unjudged_serious += injectable
    lines = [
        "# Security scan report",
        "",
        "Written by `scripts/security_scan.py` (wapiti, sqlmap and bandit against the app in production",
        "mode behind gunicorn on 127.0.0.1 with the demo bank; signed in as supervisor and as RM). The",
        "scan takes long and is **not run in CI**; run it by hand before a release. Judgements are kept",
        "in `security/judgements.json`; a finding without one shows `UNJUDGED`.",
        "",
        f"- Duration: {seconds / 60:.0f} minutes.",
        f"- Sessions still signed in after the crawl: {still_in}.",
        f"- Medium or higher findings without a judgement: **{len(unjudged_serious)}**.",
        "",
        "## wapiti (sql, blindsql, xss, exec, file, http_headers, cookieflags, csp, redirect)",
        "",
        "| session | category | level | where | info | judgement |",
        "|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in wapiti_rows]
    if not wapiti_rows:
        lines.append("| - | - | - | - | no finding | - |")
    lines += _coverage_lines(
        {who: Path(path).with_suffix(".log") for who, path in wapiti_reports.items()}
    )
    lines += [
        "",
        "## sqlmap (`--batch --technique=BEUS`)",
        "",
        "| target | as | checks run | injectable parameters |",
        "|---|---|---|---|",
    ]
    for r in sqlmap_results:
        found = ", ".join(r["injectable"]) or ("none" if r.get("ran", True) else "not run")
        if r.get("stopped"):
            found += " (404 without the ticket's secret: nothing to test, as intended)"
        lines.append(f"| `{_cell(r['url'])}` | {r['as']} | {r['tested']} | {found} |")
    lines += [
        "",
        "## bandit",
        "",
        "| test | severity | where | issue | judgement |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in bandit_rows]
    if not bandit_rows:
        lines.append("| - | - | - | no finding | - |")
    notes = Path(__file__).resolve().parent.parent / "security" / "run-notes.md"
    if notes.exists():
        lines += ["", "## How the last run went", "", notes.read_text().strip()]
    lines.append("")
    return "\n".join(lines)
