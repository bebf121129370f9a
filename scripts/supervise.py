"""Run and watch the processes of ``./dev run``: a process that exits is restarted, each restart
is logged in the terminal and in ``<log-dir>/supervisor.log`` and counted in
``<log-dir>/supervisor.json``; a process that keeps dying (``--max-restarts`` within
``--window`` seconds) stops everything and exits 1 with the reason, loudly, instead of leaving the
web up with no jobs behind it (issue 11).

    python scripts/supervise.py --log-dir var --foreground web \\
        "web=python manage.py runserver" "worker=celery -A vipservice worker" ...

Not supervisord or circus: they need a config file, a control socket and a daemon for what is
three child processes in a developer's terminal; honcho runs a Procfile but does not restart.
"""

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO


@dataclass
class Child:
    name: str
    argv: list[str]
    log: IO | None
    process: subprocess.Popen | None = None
    restarts: int = 0
    recent: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv,
            stdout=self.log,
            stderr=subprocess.STDOUT if self.log else None,
            start_new_session=True,
        )


class Supervisor:
    def __init__(self, children: list[Child], log_dir: Path, max_restarts: int, window: float):
        self.children = children
        self.log_dir = log_dir
        self.max_restarts = max_restarts
        self.window = window
        self.stopping = False

    def say(self, text: str) -> None:
        line = f"{datetime.now().astimezone().isoformat(timespec='seconds')} supervisor: {text}"
        print(line, file=sys.stderr, flush=True)
        with (self.log_dir / "supervisor.log").open("a") as handle:
            handle.write(line + "\n")

    def record(self) -> None:
        counts = {c.name: {"restarts": c.restarts, "pid": c.process.pid} for c in self.children}
        (self.log_dir / "supervisor.json").write_text(json.dumps(counts, indent=2))

    def stop_all(self) -> None:
        self.stopping = True
        for child in self.children:
            if child.process and child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)

    def restart(self, child: Child, status: int) -> bool:
        """Restart an exited child; False when it has died too often (the caller gives up)."""
        now = time.monotonic()
        child.recent = [t for t in child.recent if now - t < self.window] + [now]
        child.restarts += 1
        self.say(f"{child.name} exited with status {status}; restart #{child.restarts}")
        if len(child.recent) > self.max_restarts:
            return False
        time.sleep(1)
        child.start()
        self.record()
        return True

    def run(self) -> int:
        for child in self.children:
            child.start()
            self.say(f"{child.name} started (pid {child.process.pid})")
        self.record()
        while not self.stopping:
            for child in self.children:
                status = child.process.poll() if child.process else None
                if status is None or self.stopping:
                    continue
                if not self.restart(child, status):
                    self.say(
                        f"FATAL: {child.name} exited {len(child.recent)} times in "
                        f"{self.window:.0f} s; stopping everything. See {self.log_dir}/"
                        f"{child.name}.log"
                    )
                    self.stop_all()
                    return 1
            time.sleep(0.5)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-dir", type=Path, default=Path("var"))
    parser.add_argument("--foreground", action="append", default=[], help="log to the terminal")
    parser.add_argument("--max-restarts", type=int, default=5)
    parser.add_argument("--window", type=float, default=60.0, help="seconds")
    parser.add_argument("process", nargs="+", help="NAME=COMMAND")
    args = parser.parse_args(argv)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    children = []
    for spec in args.process:
        name, _, command = spec.partition("=")
        log = None if name in args.foreground else (args.log_dir / f"{name}.log").open("a")
        children.append(Child(name, shlex.split(command), log))
    supervisor = Supervisor(children, args.log_dir, args.max_restarts, args.window)

    def on_signal(signum, frame):
        supervisor.say(f"signal {signum}: stopping")
        supervisor.stop_all()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
