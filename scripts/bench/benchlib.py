"""Shared pieces of xfn's benchmarks: timing commands with their peak memory, medians, and writing a
result section into docs/benchmarks.md between markers, so each benchmark owns its part of the page."""

import os
import re
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "benchmarks.md"


def timed(command, env=None, cwd=None):
    """Runs a command; returns (seconds, peak RSS in MiB). Fails loudly when the command fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def median(values):
    return statistics.median(values)


# How xfn is built for release: the Swift runtime linked in, so the binary runs without a toolchain
# and starts faster. Every release build in the repository uses the same flags, so they share one build.
RELEASE_FLAGS = ["-c", "release", "--static-swift-stdlib"]


def build_release(product="xfn"):
    subprocess.run(["swift", "build", *RELEASE_FLAGS, "--product", product], cwd=REPO, check=True)
    path = subprocess.run(["swift", "build", *RELEASE_FLAGS, "--show-bin-path"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()
    return str(Path(path) / product)


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def write_section(name, markdown):
    """Replaces the section between <!-- bench:NAME --> markers, appending it when absent."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text)


def test_function(work, given=None):
    """The static test function (Tests/TestFunction): `given`, or built by scripts/build-test-function into `work`."""
    if given:
        return str(Path(given).resolve())
    function = str(Path(work) / "xfn-test-function")
    subprocess.run([str(REPO / "scripts" / "build-test-function"), function], check=True)
    return function


class FunctionRegistry:
    """A local registry (xfn-fixtures) serving one function image per name, each holding `function`
    (and, when `packages` has a NAME/package.yaml, that metadata too). Use as a context manager;
    `references` maps each name to the reference it was pushed as."""

    def __init__(self, work, function, names, packages=None):
        self.state = Path(work) / "registry-state"
        self.function = function
        self.names = names
        self.packages = packages
        self.server = None
        self.host = ""
        self.references = {}

    def __enter__(self):
        subprocess.run(["swift", "build", "--product", "xfn-fixtures"], cwd=REPO, check=True)
        fixtures = Path(subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                                       capture_output=True, text=True).stdout.strip()) / "xfn-fixtures"
        arguments = [str(fixtures), "serve", "--state", str(self.state)]
        if self.packages:
            arguments += ["--packages", str(self.packages)]
        for name in self.names:
            arguments += ["--function", f"{name}:{self.function}"]
        self.server = subprocess.Popen(arguments)
        for _ in range(1200):
            if (self.state / "ready").exists() or self.server.poll() is not None:
                break
            time.sleep(0.25)
        if not (self.state / "ready").exists():
            self.__exit__(None, None, None)
            raise SystemExit("the fixture registry did not start")
        pushed = (self.state / "references").read_text().split()
        self.host = pushed[0].split("/")[0]
        self.references = {ref.split("/")[-1].split(":")[0]: ref for ref in pushed}
        return self

    def __exit__(self, *_):
        if self.server:
            self.server.terminate()
            self.server.wait()
            self.server = None
