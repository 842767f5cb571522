"""Memory and CPU sampling of a process tree, for the pipeline benchmark."""

import contextlib
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.constants import (
    SAMPLE_SECONDS,
)


@dataclass
class Usage:
    """What a process tree used while sampled: peak RSS, CPU seconds, and the machine's other load."""

    rss_tree: int = 0
    rss_roles: dict[str, int] = field(default_factory=dict)
    worker_hwm: int = 0
    """The largest extraction worker's own peak RSS (the kernel's VmHWM: exact, not sampled)."""
    cpu_roles: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    other_cpu: float = 0.0
    """CPU seconds used meanwhile by processes outside the tree and this script (e.g. other jobs)."""

    def worker_utilisation(self, workers: int) -> float:
        """Worker CPU time over the worker time available (1.0 = never idle, never starved)."""
        return self.cpu_roles["worker"] / (workers * self.seconds) if self.seconds else float("nan")

    @property
    def service_cpu(self) -> float:
        """CPU seconds of the measured processes, this script excluded."""
        return sum(cpu for role, cpu in self.cpu_roles.items() if role != "bench")

    @property
    def other_load(self) -> float:
        """Share of the machine's CPUs that other processes used."""
        return self.other_cpu / (self.seconds * (os.cpu_count() or 1)) if self.seconds else float("nan")


def _role(process: psutil.Process, root_pid: int) -> str:
    if process.pid == os.getpid():
        return "bench"
    if process.pid == root_pid:
        return "main"
    command = " ".join(process.cmdline())
    if "spawn_main" in command:
        return "worker"
    return "broker" if "tansu" in command else "other"


def high_water_mark(pid: int) -> int:
    """VmHWM of a live process, in bytes (0 if it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


class UsageSampler:
    """Sample a process tree (and this script) every 100 ms in a thread, for a `with` block.

    RSS sums of several processes count shared pages more than once: an upper bound.
    """

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.usage = Usage()
        self._roles: dict[int, str] = {}
        self._cpu_first: dict[int, float] = {}
        self._cpu_last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0
        self._busy_at_start = 0.0

    def __enter__(self) -> Usage:
        self._started = time.perf_counter()
        self._busy_at_start = _busy_cpu_seconds()
        self._thread.start()
        return self.usage

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        usage = self.usage
        usage.seconds = time.perf_counter() - self._started
        for pid, last in self._cpu_last.items():
            usage.cpu_roles[self._roles[pid]] += last - self._cpu_first[pid]
        own = sum(usage.cpu_roles.values())
        usage.other_cpu = max(0.0, _busy_cpu_seconds() - self._busy_at_start - own)

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _processes(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.root_pid)
            tree = [root, *root.children(recursive=True)]
            return tree if self.root_pid == os.getpid() else [*tree, psutil.Process()]
        return [psutil.Process()]

    def _sample(self) -> None:
        rss: Counter[str] = Counter()
        for process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                role = self._roles.setdefault(process.pid, _role(process, self.root_pid))
                cpu = process.cpu_times()
                self._cpu_first.setdefault(process.pid, cpu.user + cpu.system)
                self._cpu_last[process.pid] = cpu.user + cpu.system
                if role != "bench":
                    rss[role] += process.memory_info().rss
                if role == "worker":
                    self.usage.worker_hwm = max(self.usage.worker_hwm, high_water_mark(process.pid))
        usage = self.usage
        usage.rss_tree = max(usage.rss_tree, sum(rss.values()))
        for role, value in rss.items():
            usage.rss_roles[role] = max(usage.rss_roles.get(role, 0), value)
