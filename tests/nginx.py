"""Support for running several Streamlit servers behind one sticky nginx proxy.

Not a test module. Used by ``tests/test_browser_affinity.py``::

    with serve(APP) as one, serve(APP) as two, sticky_proxy([one, two]) as proxy:
        page.goto(proxy.url)
        proxy.log()  # [LogEntry(upstream="127.0.0.1:41234", path="/", key="…", …), …]

The proxy is Debian's nginx with ``deploy/nginx/streamlit-sticky.conf.template``,
rendered into a temporary prefix that holds everything nginx writes, so it runs as
any user and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from browser import _stop, free_port

NGINX = "/usr/sbin/nginx"
TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "streamlit-sticky.conf.template"
COOKIE = "st_replica_key"
STARTUP_TIMEOUT = 15.0
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class LogEntry(NamedTuple):
    """One request as nginx logged it; ``key`` is the affinity cookie it carried or was given."""

    upstream: str  # "127.0.0.1:41234"; "a, b" if nginx had to try a second replica
    path: str  # the request URI, query included
    key: str
    status: int
    method: str


@dataclass(frozen=True)
class ProxyInfo:
    url: str  # "http://127.0.0.1:PORT"
    prefix: Path
    upstreams: tuple[str, ...]  # "127.0.0.1:PORT", as nginx writes $upstream_addr

    def log(self) -> list[LogEntry]:
        """Every request logged so far, oldest first (a websocket's when it closed)."""
        path = self.prefix / "logs" / "access.log"
        if not path.exists():
            return []
        entries = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                entries.append(LogEntry(row["upstream"], row["uri"], row["key"], int(row["status"]), row["method"]))
        return entries

    def error_log(self) -> str:
        path = self.prefix / "logs" / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def render(prefix: Path, listen_port: int, upstreams: Sequence[str], listen_host: str = "127.0.0.1") -> str:
    """The template filled in: ``upstreams`` are "HOST:PORT"."""
    servers = "\n".join(f"        server {address};" for address in upstreams)
    return TEMPLATE.read_text(encoding="utf-8").format(
        prefix=prefix, listen_host=listen_host, listen_port=listen_port, servers=servers
    )


def command(prefix: Path) -> list[str]:
    """The nginx command line for a rendered ``prefix/nginx.conf``, in the foreground."""
    conf, errors = prefix / "nginx.conf", prefix / "logs" / "error.log"
    return [NGINX, "-p", f"{prefix}/", "-c", str(conf), "-e", str(errors), "-g", "daemon off;"]


def _address(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname or not parts.port:
        raise ValueError(f"an upstream needs a host and a port: {url}")
    return f"{parts.hostname}:{parts.port}"


def _health(url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


@contextlib.contextmanager
def sticky_proxy(upstream_urls: Sequence[str], port: int | None = None) -> Iterator[ProxyInfo]:
    """Run nginx with cookie affinity to ``upstream_urls`` until the block ends; yield where it listens.

    Waits (up to 15 s) until Streamlit's health endpoint answers 200 through the proxy;
    on timeout, or if nginx exits first, raises ``RuntimeError`` with nginx's output and
    error log. nginx runs in its own process group, stopped when the block ends, also
    when it raises.
    """
    if not Path(NGINX).exists():
        raise FileNotFoundError(f"{NGINX} is missing: install Debian's nginx (apt-get install nginx)")
    upstreams = tuple(_address(url) for url in upstream_urls)
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="sticky-nginx-") as directory:
        prefix = Path(directory)
        # Run as root, nginx's workers are "nobody": they must reach the temp directories.
        os.chmod(prefix, 0o755)
        for name in ("logs", *(f"temp/{name}" for name in TEMP_DIRS)):
            (prefix / name).mkdir(parents=True)
        (prefix / "nginx.conf").write_text(render(prefix, port, upstreams), encoding="utf-8")
        proxy = ProxyInfo(f"http://127.0.0.1:{port}", prefix, upstreams)
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(
                command(prefix),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

            def failure(what: str) -> RuntimeError:
                output.seek(0)
                printed = output.read().decode(errors="replace")
                return RuntimeError(f"{what}\n{' '.join(command(prefix))}\n{printed}\nerror log:\n{proxy.error_log()}")

            try:
                deadline = time.monotonic() + STARTUP_TIMEOUT
                while (status := _health(proxy.url)) != 200:
                    if process.poll() is not None:
                        raise failure(f"nginx exited with {process.returncode}")
                    if time.monotonic() > deadline:
                        raise failure(f"nginx did not answer 200 at {proxy.url}/_stcore/health (last: {status})")
                    time.sleep(0.05)
                yield proxy
                if process.poll() is not None:
                    raise failure(f"nginx exited with {process.returncode} while in use")
            finally:
                _stop(process)
