"""The load run: gunicorn (2 workers, the production config file ``deploy/gunicorn.conf.py``) on the bench's
database, 20 logged-in users for 30 s on the real pages (case 4 : cost 2 : meeting 2 : dashboard 1), and the
same users on a hello-world view of the same server. Mix and hello alternate in two halves each.

The client is asyncio from the standard library (one connection per request, as gunicorn's sync workers
close it). It runs on the same machine and takes CPU from the server: the ratio to hello-world is what holds
across machines, not the requests per second.
"""

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.test import Client
from django.urls import reverse

from .data import Subjects
from .figures import BenchError, process_stop
from .rss import status_mb

ROOT = Path(__file__).resolve().parent.parent
MIX = {"case": 4, "cost": 2, "meeting": 2, "dashboard": 1}
REQUEST_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_start(port: int, *, workers: int = 2) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESSLOG": "",  # no access log line per request in the figures
        "GUNICORN_MAX_REQUESTS": "0",  # no worker recycling in the middle of a 30 s run
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "governance.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello/", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process_stop(process)
    raise BenchError("gunicorn did not answer within 60 s")


def server_workers(process: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


async def _fetch(port: int, path: str, cookie: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={cookie}\r\n"
                "Accept: text/html\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    return int(answer.split(b" ", 2)[1])


async def _user(port, paths, cookie, until, latencies, statuses, failures):
    i = 0
    while time.perf_counter() < until:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(_fetch(port, path, cookie), REQUEST_TIMEOUT)
        except (OSError, TimeoutError, IndexError, ValueError) as exc:
            failures.append(f"{path}: {type(exc).__name__}")
            continue
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if status != 200:
            failures.append(f"{path}: {status}")


async def _warm(port: int, paths: list[str], cookies: list[str], rounds: int = 2) -> None:
    """Each path ``rounds`` times, by as many users at once as the run has."""
    gate = asyncio.Semaphore(len(cookies))

    async def one(path, cookie):
        async with gate:
            await asyncio.wait_for(_fetch(port, path, cookie), REQUEST_TIMEOUT)

    await asyncio.gather(*[one(path, cookies[i % len(cookies)]) for i, path in enumerate(paths * rounds)])


async def _phase(port, user_paths, cookies, seconds) -> dict:
    latencies, statuses, failures = [], {}, []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *[
            _user(port, paths, cookie, until, latencies, statuses, failures)
            for paths, cookie in zip(user_paths, cookies, strict=True)
        ]
    )
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "failures": failures, "seconds": elapsed}


def _summary(phases: list[dict]) -> dict:
    latencies = sorted(x for p in phases for x in p["latencies"])
    seconds = sum(p["seconds"] for p in phases)
    failures = [f for p in phases for f in p["failures"]]
    statuses = {}
    for p in phases:
        for status, n in p["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    if not latencies:
        return {"requests": 0, "rps": 0.0, "errors": len(failures), "failures": failures[:20]}
    return {
        "requests": len(latencies),
        "seconds": round(seconds, 1),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "errors": len(failures),
        "statuses": statuses,
        "failures": failures[:20],
    }


def _paths(subjects: Subjects, client: Client) -> dict[str, list[str]]:
    """The mix's pages, each checked to answer 200 for the user first."""
    cases = list(subjects.recommendation.cases.order_by("id").values_list("id", flat=True))
    paths = {
        "case": [reverse("decisions:case", args=[pk]) for pk in cases],
        "cost": [reverse("agreements:costs", args=[subjects.recommendation.agreement.slug])],
        "meeting": [reverse("meetings:meeting", args=[pk]) for pk in subjects.meetings],
        "dashboard": [reverse("decisions:dashboard", args=[subjects.recommendation.slug])],
    }
    for kind, urls in paths.items():
        for url in [*urls[:3], urls[-1]] if urls else []:
            if client.get(url).status_code != 200:
                raise BenchError(f"load: {url} does not answer 200 for the load's user")
        if not urls:
            raise BenchError(f"load: no {kind} page to request")
    return paths


def _user_paths(paths: dict[str, list[str]], users: int) -> list[list[str]]:
    """Each user's sequence: the mix's weights, shuffled per user, each page kind's URLs taken in turn."""
    sequences = []
    for user in range(users):
        rng = random.Random(user)
        sequence = []
        for _ in range(50):
            kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
            rng.shuffle(kinds)
            sequence.extend(rng.choice(paths[kind]) for kind in kinds)
        sequences.append(sequence)
    return sequences


def load_measure(subjects: Subjects, *, seconds: int, users: int) -> dict:
    user = subjects.users["ksl"]
    client = Client()
    client.force_login(user)
    paths = _paths(subjects, client)
    cookies = []
    for _ in range(users):  # every user its own session, stored in the database like a real login's
        session = Client()
        session.force_login(user)
        cookies.append(session.cookies["sessionid"].value)
    user_paths = _user_paths(paths, users)
    hello_paths = [[reverse("bench_hello")]] * users
    port = _free_port()
    server = server_start(port)
    try:
        # Warm-up: every worker has loaded its templates, and every page of the mix has been shown (twice, so
        # most likely by both workers): the run measures the steady state, where a page is rendered once
        # after each change and then kept (core.caching). The renders are measured by ``make bench``.
        asyncio.run(_warm(port, sorted({path for paths in user_paths for path in paths}), cookies))
        asyncio.run(_phase(port, user_paths, cookies, 3))
        asyncio.run(_phase(port, hello_paths, cookies, 1))
        mix, hello = [], []
        for _half in range(2):
            mix.append(asyncio.run(_phase(port, user_paths, cookies, seconds / 2)))
            hello.append(asyncio.run(_phase(port, hello_paths, cookies, seconds / 2)))
        workers = server_workers(server)
        rss = {
            "web_worker_rss_mb": max((status_mb("VmRSS", pid) for pid in workers), default=None),
            "web_worker_peak_mb": max((status_mb("VmHWM", pid) for pid in workers), default=None),
        }
    finally:
        process_stop(server)
    mix_summary, hello_summary = _summary(mix), _summary(hello)
    return {
        "server": "gunicorn, 2 sync workers, deploy/gunicorn.conf.py",
        "users": users,
        "seconds": seconds,
        "mix_weights": MIX,
        "mix": mix_summary,
        "hello": hello_summary,
        "load_vs_hello": round(mix_summary["rps"] / hello_summary["rps"], 3)
        if hello_summary["rps"]
        else None,
        "rss_mb": rss,
    }
