#!/usr/bin/env python3
"""Generate every `template-tests/<variant>` project and check it with the real tools.

Run by scripts/check-generated.sh, which installs the tools (uv, ruff, hadolint,
validate-pyproject) and builds `aichor`. Standard library only.

Per variant: init, ruff check, ruff format --check, hadolint (warning: required; style:
reported), validate-pyproject, the uv pin of the Dockerfile, `uv lock` (the project must
stay unchanged but for uv.lock). For the CPU variants of jobset, jax, xgboost and kuberay
also: `uv sync --locked`, the Dockerfile's RUN steps replayed outside Docker (docker-sim),
and the starter run by `aichor local-repo run` (the operator's processes and variables) as
1 and 2 processes (`--workers`), jobset as its manifest says (2 jobs x 2 completions) and
kuberay as a private Ray cluster shaped like the manifest (a head with nothing on it, its
worker nodes, the driver).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

RUNNABLE = {"jobset", "jax", "xgboost", "kuberay"}
COLUMNS = [
    "init",
    "ruff",
    "format",
    "hadolint",
    "hl-style",
    "pyproject",
    "uv-pin",
    "lock",
    "check",
    "sync",
    "docker-sim",
    "run-1",
    "run-2",
    "run-4",
    "alone",
    "scheme",
    "resume",
    "pytest",
    "no-gpu",
]
# A stand-in for boto3 (put first on PYTHONPATH) whose S3 has expired session keys.
FAKE_BOTO3 = """
class _NoSuchKey(Exception):
    pass


class _Client:
    class exceptions:
        NoSuchKey = _NoSuchKey

    def get_object(self, **kwargs):
        raise _NoSuchKey(kwargs)

    def upload_fileobj(self, *args, **kwargs):
        raise Exception(
            "An error occurred (ExpiredToken) when calling the PutObject operation: "
            "The provided token has expired."
        )


def client(*args, **kwargs):
    return _Client()
"""
# Checks whose failure is reported but does not fail the run.
ADVISORY = {"hl-style"}
TIMEOUT = {"jobset": 60, "xgboost": 120, "jax": 180, "kuberay": 120}
# What each starter saves under AICHOR_OUTPUT_PATH (from its coordinator; jobset: every pod).
OUTPUTS = {
    "jobset": lambda world: [f"result-{i:05d}-of-{world:05d}.json" for i in range(world)],
    "jax": lambda world: ["result.json"],
    "xgboost": lambda world: ["model.json", "summary.json"],
}
TAIL_LINES = 40
# uv settings from the caller's environment that would change what is checked (index and
# proxy settings pass through).
UV_OVERRIDES = {
    "UV_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
    "UV_FROZEN",
    "UV_LOCKED",
    "UV_NO_SYNC",
    "UV_SYSTEM_PYTHON",
    "UV_OFFLINE",
    "UV_NO_CACHE",
    "UV_COMPILE_BYTECODE",
    "UV_LINK_MODE",
    "UV_NO_BUILD_ISOLATION",
    "UV_PYTHON_PREFERENCE",
    "UV_CONFIG_FILE",
    "UV_NO_CONFIG",
}


@dataclass
class Result:
    status: str  # ok | FAIL | note | skip
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Variant:
    name: str
    answers: Path
    dest: Path = Path()
    operator: str = ""
    accelerator: str = ""
    package: str = ""
    tensorboard: bool = False
    python: str = ""
    python_dir: str = ""  # bin folder of the interpreter for .python-version
    # Manifests added after init with `aichor manifest new` (template-tests/<v>/manifest-new.args).
    extra_manifests: list[str] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)


class Checker:
    def __init__(self, args: argparse.Namespace) -> None:
        self.repo = Path(args.repo).resolve()
        self.aichor = str(Path(args.aichor).resolve())
        self.tools = Path(args.tools).resolve()
        self.work = Path(args.work).resolve()
        self.logs = self.work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.uv = str(self.tools / "uv")
        self.used_ports: set[int] = set()
        # A directory holding only `uv`: the tools venv's bin must not be on PATH, or uv
        # would take the tools venv's Python for the projects.
        self.uv_bin = self.work / "uv-bin"
        self.uv_bin.mkdir(exist_ok=True)
        (self.uv_bin / "uv").unlink(missing_ok=True)
        (self.uv_bin / "uv").symlink_to(self.uv)
        self.uv_cache = subprocess.run(
            [self.uv, "cache", "dir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        profiles = json.loads(
            subprocess.run(
                [self.aichor, "profiles", "list", "--format", "json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        self.accelerator = {p["id"]: p["accelerator"] for p in profiles}
        self.ray_tmp = Path(tempfile.mkdtemp(prefix="aichor-ray-", dir="/tmp"))

    # ----------------------------------------------------------------- running

    def base_env(self, v: Variant) -> dict[str, str]:
        env = {
            k: val
            for k, val in os.environ.items()
            if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX"}
            and k not in UV_OVERRIDES
            and not k.startswith("RAY_")
        }
        env["UV_PYTHON_DOWNLOADS"] = "never"
        env["UV_NO_PROGRESS"] = "1"
        env["UV_CACHE_DIR"] = self.uv_cache
        env["PATH"] = f"{self.uv_bin}:{v.python_dir}:{env.get('PATH', '')}"
        return env

    def log_path(self, v: Variant, check: str) -> Path:
        return self.logs / f"{v.name}.{check}.log"

    def spawn(self, cmd: list[str], *, cwd: Path, env: dict, log: Path) -> subprocess.Popen:
        with open(log, "a") as f:
            f.write(f"$ (cd {cwd} && {shlex.join(cmd)})\n")
        out = open(log, "ab")  # noqa: SIM115 (closed by wait_all)
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout kills the tree
        )
        proc.log_file = out  # type: ignore[attr-defined]
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait_all(self, procs: list[subprocess.Popen], timeout: float) -> list[str]:
        """Wait for every process; rc as a string, 'timeout' when killed at the deadline.

        Once one process fails, the others get 15 s to finish (a peer that lost its
        partner can otherwise wait minutes for a heartbeat timeout).
        """
        deadline = time.monotonic() + timeout
        codes: dict[int, str] = {}
        peer_failed = False
        while len(codes) < len(procs):
            for i, p in enumerate(procs):
                if i not in codes and p.poll() is not None:
                    codes[i] = str(p.returncode)
                    if p.returncode != 0 and not peer_failed:
                        peer_failed = True
                        deadline = min(deadline, time.monotonic() + 15)
            if time.monotonic() > deadline:
                for i, p in enumerate(procs):
                    if i not in codes:
                        self.kill(p)
                        p.wait()
                        codes[i] = "killed after peer failed" if peer_failed else "timeout"
            time.sleep(0.05)
        for p in procs:
            p.log_file.close()  # type: ignore[attr-defined]
        return [codes[i] for i in range(len(procs))]

    def run(
        self,
        cmd: list[str],
        *,
        cwd: Path,
        env: dict,
        log: Path,
        timeout: float = 600,
    ) -> bool:
        (rc,) = self.wait_all([self.spawn(cmd, cwd=cwd, env=env, log=log)], timeout)
        with open(log, "a") as f:
            f.write(f"[exit: {rc}]\n")
        return rc == "0"

    def free_port(self) -> int:
        """A free TCP port outside 10002-19999 (Ray's worker ports), never the same twice."""
        while True:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            if not 10002 <= port <= 19999 and port not in self.used_ports:
                self.used_ports.add(port)
                return port

    def check(self, v: Variant, name: str, fn, *args) -> bool:
        """Run one check; record ok/FAIL (or what fn returns) and its wall time."""
        start = time.monotonic()
        log = self.log_path(v, name)
        try:
            outcome = fn(v, log, *args)
        except Exception as exc:  # noqa: BLE001 (a bug or a missing file: a failure, not a crash)
            outcome = (False, f"{type(exc).__name__}: {exc}")
        ok, detail = outcome if isinstance(outcome, tuple) else (outcome, "")
        status = "ok" if ok else ("note" if name in ADVISORY else "FAIL")
        res = Result(status, time.monotonic() - start, detail)
        v.results[name] = res
        mark = {"ok": "ok  ", "FAIL": "FAIL", "note": "note"}[status]
        print(f"  {mark} {name:<10} {res.seconds:6.1f}s  {detail}".rstrip(), flush=True)
        if status != "ok" and log.exists():
            lines = log.read_text(errors="replace").splitlines()
            for line in lines[-TAIL_LINES:]:
                print(f"       | {line}", flush=True)
            print(f"       (log: {log})", flush=True)
        return ok

    def skip(self, v: Variant, name: str, why: str) -> None:
        v.results[name] = Result("skip", 0.0, why)

    # --------------------------------------------------------------- the checks

    def c_init(self, v: Variant, log: Path):
        cmd = [self.aichor, "local-repo", "init", str(v.dest), "--answers", str(v.answers)]
        cmd += ["--no-input", "--format", "json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self.repo, check=False)
        log.write_text(
            f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}[exit: {proc.returncode}]\n"
        )
        if proc.returncode != 0:
            return False, f"exit {proc.returncode}"
        report = json.loads(proc.stdout)
        answers = report["answers"]
        v.operator = answers["operator"]
        v.accelerator = self.accelerator[answers["profile"]]
        v.tensorboard = bool(answers["tensorboard"])
        mains = [f["path"] for f in report["files"] if re.fullmatch(r"src/\w+/main\.py", f["path"])]
        v.package = mains[0].split("/")[1]
        v.python = (v.dest / ".python-version").read_text().strip()
        v.python_dir = find_python_dir(v.python)
        where = v.python_dir or "NOT FOUND"
        # More manifests, one `aichor manifest new` per line of manifest-new.args: every
        # later column (ruff, hadolint on each Dockerfile, validate-pyproject, uv lock with
        # their dependency groups, local-repo check of every manifest) covers them too.
        extra = v.answers.parent / "manifest-new.args"
        if extra.is_file():
            for line in extra.read_text().splitlines():
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                cmd = [self.aichor, "manifest", "new", *shlex.split(line), "--no-input", "--no-lock"]
                proc = subprocess.run(cmd, capture_output=True, text=True, cwd=v.dest, check=False)
                with log.open("a") as f:
                    f.write(f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}[exit: {proc.returncode}]\n")
                if proc.returncode != 0:
                    return False, f"manifest new {line}: exit {proc.returncode}"
                v.extra_manifests.append(shlex.split(line)[0])
        more = f", +{len(v.extra_manifests)} manifest(s)" if v.extra_manifests else ""
        return True, f"{v.operator} {v.accelerator} py{v.python} ({where}){more}"

    def dockerfiles(self, v: Variant) -> list[str]:
        """The project's Dockerfile and those `manifest new` added under docker/."""
        extra = sorted(str(p.relative_to(v.dest)) for p in (v.dest / "docker").glob("*.Dockerfile"))
        return ["Dockerfile", *extra]

    def tool(self, v: Variant, log: Path, *cmd: str):
        ok = self.run(
            [str(self.tools / cmd[0]), *cmd[1:]], cwd=v.dest, env=self.base_env(v), log=log
        )
        out = self.outputs(log)
        rules = sorted(set(re.findall(r"\b(DL\d{4}|SC\d{4})\b", out)))
        if rules or ok:
            return ok, " ".join(rules)
        lines = [
            line
            for line in out.splitlines()
            if line.strip() and not line.startswith(("$", "[exit"))
        ]
        return ok, lines[-1][:100] if lines else ""

    def c_uv_pin(self, v: Variant, log: Path):
        text = (v.dest / "Dockerfile").read_text()
        uv_version = subprocess.run(
            [self.uv, "--version"], capture_output=True, text=True, check=False
        ).stdout.split()[1]
        copies = re.findall(r"^COPY\s+--from=ghcr\.io/astral-sh/uv:(\S+)\s", text, re.MULTILINE)
        uv_refs = re.findall(r"astral-sh/uv:(\S+)", text)
        log.write_text(f"COPY --from uv tags: {copies}; all uv image refs: {uv_refs}\n")
        if len(copies) != 1 or uv_refs != copies:
            return False, f"expected one COPY --from=ghcr.io/astral-sh/uv:<version>, got {uv_refs}"
        if not re.fullmatch(r"\d+\.\d+\.\d+", copies[0]):
            return False, f"uv tag {copies[0]!r} is not an exact version"
        if copies[0] != uv_version:
            return False, f"image uv {copies[0]} != uv {uv_version} that locks here"
        detail = f"uv:{copies[0]}"
        if v.operator == "kuberay":
            # The image's Ray, the manifest's spec.rayVersion and the locked dependency agree.
            manifest = (v.dest / "aichor_manifests" / "manifest.yaml").read_text()
            spec = re.search(r'^\s+rayVersion:\s*"?([\w.]+)"?', manifest, re.MULTILINE)
            image = re.search(r"^FROM rayproject/ray:([\d.]+)-py(\d+)-(\w+)", text, re.MULTILINE)
            pyproj = re.search(
                r'"ray\[default\]==([\d.]+)"', (v.dest / "pyproject.toml").read_text()
            )
            versions = {m.group(1) if m else None for m in (spec, image, pyproj)}
            if len(versions) != 1 or None in versions:
                return False, f"Ray versions differ: manifest/image/pyproject = {versions}"
            if image.group(2) != v.python.replace(".", ""):
                return False, f"image py{image.group(2)} != .python-version {v.python}"
            detail += f", ray {image.group(1)} everywhere"
        return True, detail

    def c_lock(self, v: Variant, log: Path):
        if not v.python_dir:
            log.write_text(f"no Python {v.python} interpreter found (pyenv or PATH)\n")
            return False, f"no Python {v.python} here (pyenv versions / python{v.python} on PATH)"
        before = tree_digest(v.dest)
        if not self.run([self.uv, "lock"], cwd=v.dest, env=self.base_env(v), log=log):
            return False, ""
        after = tree_digest(v.dest)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed != ["uv.lock"]:
            return False, f"uv lock changed the project: {changed}"
        pkgs = len(re.findall(r"^\[\[package\]\]", (v.dest / "uv.lock").read_text(), re.MULTILINE))
        return True, f"{pkgs} packages"

    def c_check(self, v: Variant, log: Path):
        """`aichor local-repo check` on the locked project, with this uv: no error, no
        warning, and `uv lock --check` ran."""
        env = {**self.base_env(v), "AICHOR_UV": str(self.uv)}
        cmd = [self.aichor, "local-repo", "check", "--format", "json", str(v.dest)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        log.write_text(
            f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}[exit: {proc.returncode}]\n"
        )
        if proc.returncode != 0:
            return False, f"exit {proc.returncode}"
        report = json.loads(proc.stdout)
        if not report["uv_lock_checked"]:
            return False, "uv lock --check did not run"
        if report["summary"]["warnings"]:
            return False, f"{report['summary']['warnings']} warning(s)"
        if len(report["manifests"]) != 1 + len(v.extra_manifests):
            return False, f"{len(report['manifests'])} manifest(s) checked, expected {1 + len(v.extra_manifests)}"
        return True, f"{len(report['manifests'])} manifest(s), uv.lock in sync"

    def c_sync(self, v: Variant, log: Path):
        env = self.base_env(v)
        if not self.run([self.uv, "sync", "--locked"], cwd=v.dest, env=env, log=log):
            return False, ""
        py = v.dest / ".venv" / "bin" / "python"
        got = subprocess.run(
            [str(py), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if got != v.python:
            return False, f".venv has Python {got}, .python-version says {v.python}"
        return True, f".venv Python {got}"

    # What the stand-in Ray image holds besides Ray: a package of every kuberay lock at a
    # version older than the lock's, which the image's build must keep (image_requirements.py).
    RAY_IMAGE_KEEPS = "requests==2.32.3"

    def ray_image(self, v: Variant, system_python: Path, ray_bin: Path, logf) -> None:
        """Make the interpreter standing for rayproject/ray's hold what the image does: the
        pinned Ray, and RAY_IMAGE_KEEPS; `python` on the image's PATH is that interpreter."""
        ray = re.search(r'"(ray\[default\]==[^"]+)"', (v.dest / "pyproject.toml").read_text())
        python = system_python / "bin" / "python"
        subprocess.run(
            [self.uv, "pip", "install", "-q", "--python", str(python), ray.group(1),
             self.RAY_IMAGE_KEEPS],
            cwd=v.dest,
            env=self.base_env(v),
            stdout=logf,
            stderr=subprocess.STDOUT,
            check=True,
        )
        # A wrapper, not a symlink: through a symlink Python would not find the venv's
        # pyvenv.cfg and would run without its packages.
        (ray_bin / "python").write_text(f'#!/bin/sh\nexec "{python}" "$@"\n')
        (ray_bin / "python").chmod(0o755)

    def c_docker_sim(self, v: Variant, log: Path):
        """Replay the Dockerfile's steps outside Docker, in a folder standing for the image.

        WORKDIR/ENV/COPY of the context (filtered by .dockerignore)/RUN are followed; bind
        mounts are files copied in for one RUN; cache mounts, COPY --from (uv, checked by
        uv-pin) and PATH are left out. Paths under / are moved into the folder, and
        `--system` targets a virtual environment standing for the image's interpreter.
        """
        root = self.work / "sim" / v.name
        shutil.rmtree(root, ignore_errors=True)
        (root / "tmp").mkdir(parents=True)
        context = root.parent / f"{v.name}.context"
        shutil.rmtree(context, ignore_errors=True)
        copy_context(v.dest, context, (v.dest / ".dockerignore").read_text())
        env = self.base_env(v)
        system_python = root / "system-python"
        cwd = root
        logf = open(log, "a")  # noqa: SIM115
        ran = 0
        if v.operator == "kuberay":
            # rayproject/ray has an unpinned uv of its own in a folder early on PATH: a
            # stand-in that fails if a RUN step calls it instead of the pinned one.
            ray_bin = root / "home" / "ray" / "anaconda3" / "bin"
            ray_bin.mkdir(parents=True)
            (ray_bin / "uv").write_text(
                "#!/bin/sh\necho \"uv 0.0.0 (the Ray image's own uv ran: not the pinned one)\"\n"
                "exit 1\n"
            )
            (ray_bin / "uv").chmod(0o755)
            path = [p for p in env["PATH"].split(":") if p != str(self.uv_bin)]
            env["PATH"] = ":".join([str(ray_bin), *path])
        try:
            for instr, arg in dockerfile_instructions((v.dest / "Dockerfile").read_text()):
                logf.write(f"# {instr} {arg}\n")
                logf.flush()
                if instr == "WORKDIR":
                    cwd = root / arg.lstrip("/")
                    cwd.mkdir(parents=True, exist_ok=True)
                elif instr == "ENV":
                    for key, value in parse_env(arg).items():
                        if key != "PATH":
                            env[key] = value
                        elif v.operator == "kuberay":  # folders of the image, under root
                            parts = value.replace("${PATH}", "$PATH").split(":")
                            env["PATH"] = ":".join(
                                env["PATH"] if p == "$PATH" else f"{root}{p}" for p in parts
                            )
                elif instr == "COPY" and v.operator == "kuberay" and "astral-sh/uv:" in arg:
                    # The pinned uv (uv-pin checks that the tag is the tools' uv version).
                    dest = root / shlex.split(arg)[-1].lstrip("/")
                    dest.mkdir(parents=True, exist_ok=True)
                    (dest / "uv").symlink_to(self.uv)
                elif instr == "COPY" and "--from=" not in arg:
                    words = [w for w in shlex.split(arg) if not w.startswith("--")]
                    *sources, target = words
                    if sources != ["."]:
                        return False, f"unexpected COPY {arg}"
                    shutil.copytree(context, root / target.lstrip("/"), dirs_exist_ok=True)
                elif instr == "RUN":
                    words = shlex.split(arg)
                    mounts = []
                    while words and words[0].startswith("--mount="):
                        mounts.append(dict(kv.split("=", 1) for kv in words.pop(0)[8:].split(",")))
                    shell = " ".join(words)
                    if "--system" in shell and not system_python.exists():
                        subprocess.run(
                            [self.uv, "venv", "-q", str(system_python)],
                            cwd=v.dest,
                            env=env,
                            check=True,
                        )
                        if v.operator == "kuberay":
                            self.ray_image(v, system_python, ray_bin, logf)
                    shell = re.sub(
                        r"(?<![\w.])/(tmp|app|home)/", lambda m: f"{root}/{m.group(1)}/", shell
                    )
                    shell = shell.replace("--system", f"--python {system_python}/bin/python")
                    bound = []
                    for m in mounts:
                        if m.get("type") == "bind":
                            # An absolute target lies in the image: under root here.
                            dst = m["target"]
                            dst = root / dst[1:] if dst.startswith("/") else cwd / dst
                            shutil.copy2(context / m["source"], dst)
                            bound.append(dst)
                    logf.write(f"$ (cd {cwd} && {shell})\n")
                    logf.flush()
                    proc = subprocess.run(
                        ["bash", "-o", "pipefail", "-c", shell],
                        cwd=cwd,
                        env=env,
                        stdout=logf,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        timeout=600,
                        check=False,
                    )
                    for dst in bound:
                        dst.unlink()
                    if proc.returncode != 0:
                        return False, f"RUN #{ran + 1} failed (exit {proc.returncode})"
                    ran += 1
            if v.operator == "kuberay":
                # Ray's tested packages stay: the image's requests, not the lock's.
                name, _, version = self.RAY_IMAGE_KEEPS.partition("==")
                logf.flush()
                query = f"from importlib.metadata import version; print(version({name!r}))"
                got = subprocess.run(
                    [str(system_python / "bin" / "python"), "-c", query],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip()
                if got != version or f"keeping {name} {version}" not in self.outputs(log):
                    return False, f"the image's {name} {version} was not kept (now {got!r})"
                cases = subprocess.run(
                    [
                        str(system_python / "bin" / "python"),
                        str(self.repo / "scripts" / "check_image_split.py"),
                    ],
                    cwd=v.dest,
                    stdout=logf,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
                if cases.returncode != 0:
                    return False, "scripts/image_requirements.py failed check_image_split.py"
                # The build log must show the pinned uv answering `uv --version`.
                pin = re.search(r"astral-sh/uv:(\S+)", (v.dest / "Dockerfile").read_text())
                logf.flush()
                seen = re.findall(r"^uv (\S+)", self.outputs(log), re.MULTILINE)
                if not seen or any(u != pin.group(1) for u in seen):
                    return False, f"`uv --version` in the image: {seen}, pinned {pin.group(1)}"
            # The image must run the manifest's command: `python -m <package>.main`.
            if v.operator == "kuberay":
                python = system_python / "bin" / "python"
            else:
                python = cwd / ".venv" / "bin" / "python"
            cmd = [str(python), "-c", f"import {v.package}.main"]
            logf.write(f"$ {shlex.join(cmd)}\n")
            logf.flush()
            env.pop("UV_COMPILE_BYTECODE", None)
            proc = subprocess.run(
                cmd, cwd=root, env=env, stdout=logf, stderr=subprocess.STDOUT, check=False
            )
            if proc.returncode != 0:
                return False, f"{v.package}.main does not import in the simulated image"
            extra = f", uv {seen[0]} ran, {name} {version} kept" if v.operator == "kuberay" else ""
            return True, f"{ran} RUN steps, imports {v.package}.main{extra}"
        finally:
            logf.close()
            shutil.rmtree(context, ignore_errors=True)
            shutil.rmtree(root, ignore_errors=True)

    # ------------------------------------------------------------------ starters

    def starter_cmd(self, v: Variant) -> list[str]:
        if v.operator == "kuberay":  # the local-run helper, as in the README
            return [self.uv, "run", "--locked", "python", "-u", "scripts/ray_local.py"]
        return [self.uv, "run", "--locked", "python", "-u", "-m", f"{v.package}.main"]

    def out_dir(self, v: Variant, run: str) -> Path:
        return self.work / "outputs" / v.name / run

    def check_outputs(self, v: Variant, out: Path, world: int) -> str | None:
        """The files the starter must save under AICHOR_OUTPUT_PATH, and none in the project."""
        if (v.dest / "outputs").exists():
            return "the starter wrote outputs/ inside the project"
        expected = OUTPUTS.get(v.operator)
        if expected is None:
            return None
        missing = [f for f in expected(world) if not (out / f).is_file()]
        return f"not saved under AICHOR_OUTPUT_PATH: {missing}" if missing else None

    def run_env(self, v: Variant, tb_dir: Path | None, run: str = "") -> dict[str, str]:
        env = self.base_env(v)
        if tb_dir is not None:
            env["AICHOR_TENSORBOARD_PATH"] = str(tb_dir)
        if run:
            env["AICHOR_OUTPUT_PATH"] = str(self.out_dir(v, run))
        if v.operator == "kuberay":
            # A home of its own: ~/.ray/auth_token starts absent and is left behind here.
            env["HOME"] = str(self.work / f"home-{v.name}")
            # Short: Ray's unix socket paths under it must stay below 108 bytes.
            env["RAY_TMPDIR"] = str(self.ray_tmp / v.name[:12])
            # Ray on Linux registers its node on the primary NIC's address; this (the switch
            # Ray uses on macOS/Windows) keeps every Ray socket on 127.0.0.1.
            env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
            Path(env["HOME"]).mkdir(exist_ok=True)
            Path(env["RAY_TMPDIR"]).mkdir(exist_ok=True)
        return env

    def tb_dir(self, v: Variant, run: str) -> Path | None:
        return self.work / "tb" / v.name / run if v.tensorboard else None

    def check_tb(self, v: Variant, tb: Path | None, ranks: list[str]) -> str | None:
        """Event files where the starter was told to write them; none in the project."""
        if (v.dest / "runs").exists():
            return "the starter wrote runs/ inside the project"
        if tb is None:
            return None
        for sub in ranks:
            if not list((tb / sub).glob("events.out.tfevents.*")):
                return f"no TensorBoard event file in {tb / sub}"
        return None

    def outputs(self, log: Path) -> str:
        return log.read_text(errors="replace") if log.exists() else ""

    def local_run(self, v: Variant, log: Path, *flags: str):
        """`aichor local-repo run` on the project's manifest: the operator's processes with
        its variables, supervised by aichor. Returns (exit code, JSON summary or None)."""
        cmd = [self.aichor, "local-repo", "run", "--format", "json"]
        cmd += ["--timeout", str(TIMEOUT[v.operator]), *flags]
        env = self.run_env(v, None)
        env["AICHOR_UV"] = self.uv
        with open(log, "a") as f:
            f.write(f"$ (cd {v.dest} && {shlex.join(cmd)})\n")
            f.flush()
            proc = subprocess.run(
                cmd, cwd=v.dest, env=env, stdout=subprocess.PIPE, stderr=f, check=False
            )
            f.write(f"[exit: {proc.returncode}]\n")
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            report = None
        return proc.returncode, report

    def check_local_run(self, v: Variant, log: Path, *flags: str):
        """One local run and what it must show: every process ok, the starters' outputs
        under the run's AICHOR_OUTPUT_PATH, TensorBoard files where told, none in the project."""
        rc, report = self.local_run(v, log, *flags)
        if report is None:
            return False, f"exit {rc}, no JSON summary"
        if rc != 0 or report.get("outcome") != "ok":
            return False, f"exit {rc}: {report.get('outcome')}, first failure {report.get('first_failure')}"
        procs = report["processes"]
        folder = Path(report["run_folder"])
        outs = [Path(p["log"]).read_text(errors="replace") for p in procs]
        tb = folder / "tensorboard" if v.tensorboard else None
        if v.operator == "kuberay":
            workers = sum(1 for p in procs if p["name"] not in ("head", "driver"))
            problem = (
                self.check_tb(v, tb, [""])
                or verify_output("kuberay", [outs[-1]], 2)
                or self.check_ray_summary(folder / "outputs" / "summary.json", workers)
            )
            if problem:
                return False, problem
            return True, summary_line("kuberay", outs[-1]) + f" head + {workers} node(s)" + (
                " +tb" if tb else ""
            )
        world = len(procs)
        # jobset has no coordinator: every pod of several logs; elsewhere (and a single
        # process) only the coordinator, at the top.
        if v.operator == "jobset" and world > 1:
            subdirs = [f"rank-{r}" for r in range(world)]
        else:
            subdirs = [""]
        problem = (
            self.check_tb(v, tb, subdirs)
            or verify_output(v.operator, outs, world)
            or self.check_outputs(v, folder / "outputs", world)
        )
        if problem:
            return False, problem
        return True, f"{world} process(es) " + summary_line(v.operator, outs[0]) + (
            " +tb" if tb else ""
        )

    def c_run1(self, v: Variant, log: Path):
        if v.operator == "kuberay":
            return self.ray_alone(v, log)
        return self.check_local_run(v, log, "--workers", "1")

    def ray_alone(self, v: Variant, log: Path):
        """The kuberay driver without a cluster (the README's `scripts/ray_local.py`): it
        starts a one-node cluster of its own."""
        tb = self.tb_dir(v, "one")
        env = self.run_env(v, tb, "one")
        summary = self.ray_summary_path(v, env)
        if not self.run(
            self.starter_cmd(v), cwd=v.dest, env=env, log=log, timeout=TIMEOUT[v.operator]
        ):
            # The driver's own one-node cluster may outlive a killed driver (CI machine only).
            self.run(
                [self.uv, "run", "--locked", "ray", "stop", "--force"],
                cwd=v.dest,
                env=env,
                log=log,
                timeout=60,
            )
            return False, ""
        out = self.outputs(log)
        problem = (
            self.check_tb(v, tb, [""])
            or verify_output(v.operator, [out], 1)
            or self.check_ray_summary(summary, 0)
            or self.ray_no_cluster(v, log)
        )
        if problem:
            return False, problem
        return True, summary_line(v.operator, out) + (" +tb" if tb else "")

    # kuberay: the driver's summary file, and no local cluster when AIchor's variables say
    # the run is on the platform.

    def ray_summary_path(self, v: Variant, env: dict[str, str]) -> Path:
        base = env.get("AICHOR_OUTPUT_PATH") or str(v.dest / "outputs")
        path = Path(base) / "summary.json"
        path.unlink(missing_ok=True)
        return path

    @staticmethod
    def check_ray_summary(path: Path, workers: int) -> str | None:
        if not path.is_file():
            return f"the driver wrote no {path}"
        data = json.loads(path.read_text())
        want = max(workers, 1)
        if (
            data.get("worker_nodes_expected") != workers
            or data.get("worker_nodes_joined") != workers
            or data.get("nodes_used") != want
        ):
            return f"{path}: expected {workers} worker(s) joined and {want} node(s) used: {data}"
        return None

    def ray_no_cluster(self, v: Variant, log: Path) -> str | None:
        """With an AIchor variable set and no cluster to join, the driver must fail."""
        env = {**self.run_env(v, None), "AICHOR_EXPERIMENT_ID": "check-no-cluster"}
        nlog = log.with_suffix(".no-cluster.log")
        if self.run(self.starter_cmd(v), cwd=v.dest, env=env, log=nlog, timeout=120):
            return f"AICHOR_EXPERIMENT_ID set, no cluster: the driver succeeded ({nlog})"
        if "cannot connect to the Ray cluster" not in self.outputs(nlog):
            return f"AICHOR_EXPERIMENT_ID set, no cluster: no clear error ({nlog})"
        return None

    def c_run2(self, v: Variant, log: Path):
        if v.operator == "kuberay":
            # The manifest's own shape: a head with nothing on it (num-cpus "0"), its worker
            # nodes, the driver given RAY_ADDRESS; only that cluster's processes stopped.
            return self.check_local_run(v, log)
        return self.check_local_run(v, log, "--workers", "2")

    def c_run4(self, v: Variant, log: Path):
        """JobSet as the manifest says: jobset-completions-2 is 2 jobs x 2 completions."""
        return self.check_local_run(v, log)

    def c_alone(self, v: Variant, log: Path):
        """A process whose peers never come, and a RANK outside the world, must fail (exit
        non-zero) in bounded time instead of waiting, billed, for the experiment's timeout."""
        port = self.free_port()
        if v.operator == "kuberay":
            # Nothing listens on the port: the driver must give up, not retry for minutes.
            cases = [("RAY_ADDRESS unreachable", {"RAY_ADDRESS": f"127.0.0.1:{port}"})]
            where = {}
        elif v.operator == "jax":
            cases = [
                ("process 0 alone", {"JAXOPERATOR_PROCESS_ID": "0"}),
                ("PROCESS_ID == NUM_PROCESSES", {"JAXOPERATOR_PROCESS_ID": "2"}),
            ]
            where = {
                "JAXOPERATOR_COORDINATOR_ADDRESS": f"127.0.0.1:{port}",
                "JAXOPERATOR_NUM_PROCESSES": "2",
            }
        else:
            cases = [
                ("rank 0 alone", {"RANK": "0"}),
                ("RANK == WORLD_SIZE", {"RANK": "2"}),
            ]
            where = {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "WORLD_SIZE": "2"}
        took = []
        for name, extra in cases:
            env = {
                **self.run_env(v, None, "alone"),
                **where,
                "AICHOR_RENDEZVOUS_TIMEOUT": "5",
                **extra,
            }
            start = time.monotonic()
            case_log = log.with_suffix(f".{len(took)}.log")
            proc = self.spawn(self.starter_cmd(v), cwd=v.dest, env=env, log=case_log)
            (code,) = self.wait_all([proc], 90)
            elapsed = time.monotonic() - start
            with open(log, "a") as f:
                f.write(f"--- {name} [exit: {code}]\n{self.outputs(case_log)}")
            if code == "timeout":
                return False, f"{name}: still waiting after 90 s"
            if code == "0":
                return False, f"{name}: exited 0"
            took.append(f"{name} {elapsed:.0f}s")
        return True, "failed fast: " + ", ".join(took)

    def c_scheme(self, v: Variant, log: Path):
        """An output prefix of a storage the starter cannot write (az://) must fail loudly,
        never land in a local folder named `az:` with the run reported as saved."""
        env = {**self.run_env(v, None, "scheme"), "AICHOR_OUTPUT_PATH": "az://outputs/run-1/"}
        ok = self.run(self.starter_cmd(v), cwd=v.dest, env=env, log=log, timeout=TIMEOUT[v.operator])
        text = self.outputs(log)
        if ok:
            return False, "exited 0 with an az:// output prefix"
        if (v.dest / "az:").exists():
            return False, "wrote a local folder named az:"
        if "s3:// prefixes" not in text:
            return False, "failed, but not with the unsupported-scheme message"
        # Session keys that expired mid-run (STS, about an hour): a stand-in boto3 whose
        # uploads fail as S3 does; the starter must say what happened, not dump a trace.
        fake = self.work / "fake-boto3"
        fake.mkdir(exist_ok=True)
        (fake / "boto3.py").write_text(FAKE_BOTO3)
        env = {
            **self.run_env(v, None, "scheme"),
            "AICHOR_OUTPUT_PATH": "s3://outputs/run-1/",
            "PYTHONPATH": str(fake),
        }
        expired_log = log.with_suffix(".expired.log")
        ok = self.run(
            self.starter_cmd(v), cwd=v.dest, env=env, log=expired_log, timeout=TIMEOUT[v.operator]
        )
        text = self.outputs(expired_log)
        if ok:
            return False, "exited 0 though every S3 upload failed with ExpiredToken"
        if "credentials of this pod expired" not in text:
            return False, "expired S3 keys: failed, but not with the expired-credentials message"
        return True, "refused az://, expired S3 keys said"

    def resume_env(self, v: Variant, rank: int, port: int) -> dict[str, str]:
        """Rank `rank` of 2, as the operator starts it, checkpointing every 25 steps."""
        env = {**self.run_env(v, None, "resume"), "AICHOR_CHECKPOINT_EVERY": "25"}
        if v.operator == "jax":
            env["JAXOPERATOR_COORDINATOR_ADDRESS"] = f"localhost:{port}"
            env["JAXOPERATOR_NUM_PROCESSES"] = "2"
            env["JAXOPERATOR_PROCESS_ID"] = str(rank)
        else:
            env.update(MASTER_ADDR="localhost", MASTER_PORT=str(port), WORLD_SIZE="2")
            env["RANK"] = str(rank)
        return env

    def c_resume(self, v: Variant, log: Path):
        """A preempted run resumes: 2 processes on a long run, SIGTERM to rank 1 only (a
        node that goes away); every rank must stop at the same step with exit 143 and rank
        0's checkpoint saved; a second run must resume from it, finish, save its outputs
        and clear the checkpoint."""
        flag = "--steps" if v.operator == "jax" else "--rounds"
        checkpoint = self.out_dir(v, "resume") / "checkpoints"
        name = {"jax": "jax.npz", "xgboost": "xgboost.ubj"}[v.operator]
        port = self.free_port()
        logs = [log.with_suffix(f".first.rank{r}.log") for r in (0, 1)]
        cmd = [*self.starter_cmd(v), flag, "10000000"]
        procs = [
            self.spawn(cmd, cwd=v.dest, env=self.resume_env(v, r, port), log=logs[r])
            for r in (0, 1)
        ]
        deadline = time.monotonic() + TIMEOUT[v.operator]
        while not (checkpoint / name).exists() and time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                break
            time.sleep(0.1)
        if not (checkpoint / name).exists():
            for p in procs:
                self.kill(p)
            self.wait_all(procs, 5)
            return False, "no periodic checkpoint before the deadline"
        os.killpg(procs[1].pid, signal.SIGTERM)  # uv run forwards it to the starter
        codes = self.wait_all(procs, 60)
        outs = [self.outputs(p) for p in logs]
        with open(log, "w") as f:
            for r, out in enumerate(outs):
                f.write(f"--- first run, rank {r} [exit: {codes[r]}]\n{out}")
        if codes != ["143", "143"]:
            return False, f"after SIGTERM to rank 1: exit codes {codes}, expected 143 each"
        m = re.search(r"SIGTERM: saved (?:step|round) (\d+)", outs[0])
        if not m:
            return False, "rank 0 did not report the checkpoint it saved on SIGTERM"
        stopped = int(m.group(1))
        # The second run: a few steps more than the first one did.
        port = self.free_port()
        logs = [log.with_suffix(f".second.rank{r}.log") for r in (0, 1)]
        cmd = [*self.starter_cmd(v), flag, str(stopped + 5)]
        procs = [
            self.spawn(cmd, cwd=v.dest, env=self.resume_env(v, r, port), log=logs[r])
            for r in (0, 1)
        ]
        codes = self.wait_all(procs, TIMEOUT[v.operator])
        outs = [self.outputs(p) for p in logs]
        with open(log, "a") as f:
            for r, out in enumerate(outs):
                f.write(f"--- second run, rank {r} [exit: {codes[r]}]\n{out}")
        if codes != ["0", "0"]:
            return False, f"the resumed run: exit codes {codes}"
        for r, out in enumerate(outs):
            if f"resumed at {flag[2:-1]} {stopped}" not in out:
                return False, f"rank {r} did not resume at {stopped}"
        if (checkpoint / name).exists():
            return False, "the finished run left its checkpoint behind"
        problem = self.check_outputs(v, self.out_dir(v, "resume"), 1)
        if problem:
            return False, problem
        return True, f"stopped at {stopped} (exit 143 ×2), resumed, finished at {stopped + 5}"

    def c_pytest(self, v: Variant, log: Path):
        """The generated test: the starter's single-process path saves its result."""
        env = self.run_env(v, None)
        if not self.run(
            [self.uv, "run", "--locked", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=v.dest,
            env=env,
            log=log,
            timeout=TIMEOUT[v.operator] + 60,
        ):
            return False, ""
        m = re.search(r"(\d+ passed)", self.outputs(log))
        return True, m.group(1) if m else ""

    def c_no_gpu(self, v: Variant, log: Path):
        """A GPU (TPU) variant's starter, where none is visible, must refuse to run."""
        env = self.run_env(v, None, "no-gpu")
        code = self.run(self.starter_cmd(v), cwd=v.dest, env=env, log=log, timeout=120)
        text = self.outputs(log)
        kind = v.accelerator.upper()
        if code:
            return False, f"ran without a {kind} instead of refusing"
        if ("sees no TPU" if kind == "TPU" else "no GPU is visible") not in text:
            return False, f"failed, but not with the no-{kind} message"
        return True, f"refused: no {kind} visible"

    # ------------------------------------------------------------------- driver

    def variant(self, name: str) -> Variant:
        v = Variant(name, self.repo / "template-tests" / name / "answers.yaml")
        v.dest = self.work / "projects" / name
        print(f"== {name}", flush=True)
        if not self.check(v, "init", self.c_init):
            return v
        self.check(v, "ruff", self.tool, "ruff", "check", "--no-cache", ".")
        self.check(v, "format", self.tool, "ruff", "format", "--check", "--no-cache", ".")
        dockerfiles = self.dockerfiles(v)
        self.check(
            v, "hadolint", self.tool, "hadolint", "--failure-threshold", "warning", *dockerfiles
        )
        self.check(
            v, "hl-style", self.tool, "hadolint", "--failure-threshold", "style", *dockerfiles
        )
        self.check(v, "pyproject", self.tool, "validate-pyproject", "pyproject.toml")
        self.check(v, "uv-pin", self.c_uv_pin)
        if v.operator == "pytorch":
            # torch comes from the PyTorch index, which CI cannot reach: the lock is proven
            # against a stub of it by scripts/check-torch-index.sh.
            self.skip(v, "lock", "scripts/check-torch-index.sh (stub of the PyTorch index)")
            locked = False
        else:
            locked = self.check(v, "lock", self.c_lock)
        if locked:
            self.check(v, "check", self.c_check)
        else:
            self.skip(v, "check", "no uv.lock: the lock was skipped or failed")
        if (v.operator, v.accelerator) in (("xgboost", "gpu"), ("kuberay", "tpu")):
            # No GPU or TPU here: what this proves is the refusal to fall back to the CPU.
            for col in (
                "docker-sim",
                "run-1",
                "run-2",
                "run-4",
                "alone",
                "scheme",
                "resume",
                "pytest",
            ):
                why = f"{v.accelerator.upper()} variant: only its refusal to run without one"
                self.skip(v, col, why)
            if locked and self.check(v, "sync", self.c_sync):
                self.check(v, "no-gpu", self.c_no_gpu)
            return v
        if v.operator not in RUNNABLE or v.accelerator != "cpu":
            why = (
                "pytorch: scripts/run-pytorch-starter.sh where the PyTorch index can be reached"
                if v.operator == "pytorch"
                else f"{v.accelerator} variant: lock only"
            )
            for col in (
                "sync",
                "docker-sim",
                "run-1",
                "run-2",
                "run-4",
                "alone",
                "scheme",
                "resume",
                "pytest",
                "no-gpu",
            ):
                self.skip(v, col, why)
            print(f"  skip sync/docker-sim/runs/pytest: {why}", flush=True)
            return v
        if not locked or not self.check(v, "sync", self.c_sync):
            return v
        self.check(v, "docker-sim", self.c_docker_sim)
        self.check(v, "run-1", self.c_run1)
        self.check(v, "run-2", self.c_run2)
        if v.operator == "jobset":
            self.check(v, "run-4", self.c_run4)
        else:
            self.skip(v, "run-4", "jobset only (2 jobs × 2 completions)")
        if v.operator in ("xgboost", "jax", "kuberay"):
            self.check(v, "alone", self.c_alone)
        else:
            self.skip(v, "alone", "no rendezvous (jobset)")
        if v.operator in ("jax", "xgboost", "jobset"):
            self.check(v, "scheme", self.c_scheme)
        else:
            self.skip(v, "scheme", "kuberay: its driver needs a Ray cluster (same write_output)")
        if v.operator in ("jax", "xgboost"):
            self.check(v, "resume", self.c_resume)
        else:
            self.skip(v, "resume", "training starters only (pytorch: run-pytorch-starter.sh)")
        self.check(v, "pytest", self.c_pytest)
        self.skip(v, "no-gpu", "CPU variant")
        return v


# ---------------------------------------------------------------------- helpers


def find_python_dir(version: str) -> str:
    """The bin folder of a CPython `version` (X.Y): pyenv's versions first, then PATH.

    uv is not allowed to download one (UV_PYTHON_DOWNLOADS=never); putting this folder
    first on PATH lets uv discover it for the project's own .python-version request.
    """
    candidates: list[Path] = []
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        found = Path(root, "versions").glob(f"{version}.*")
        key = lambda p: [int(x) if x.isdigit() else -1 for x in re.split(r"[.]", p.name)]
        candidates += [p / "bin" / f"python{version}" for p in sorted(found, key=key, reverse=True)]
    for d in os.environ.get("PATH", "").split(":"):
        if d and "shims" not in d:
            candidates.append(Path(d) / f"python{version}")
    for exe in candidates:
        if not exe.exists():
            continue
        probe = subprocess.run(
            [
                str(exe),
                "-c",
                "import sys; print('%d.%d' % sys.version_info[:2], sys.prefix == sys.base_prefix)",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.split() == [version, "True"]:
            return str(exe.parent)
    return ""


def tree_digest(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if (
            rel.parts[0] in {".venv", ".ruff_cache"}
            or "__pycache__" in rel.parts
            or not p.is_file()
        ):
            continue
        out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def dockerignore_regex(pattern: str) -> re.Pattern:
    pattern = pattern.strip("/")
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
            continue
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            j = pattern.index("]", i)
            out += pattern[i : j + 1]
            i = j
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def copy_context(src: Path, dst: Path, dockerignore: str) -> None:
    """Copy `src` to `dst` without what .dockerignore excludes (last match wins)."""
    rules = []
    for line in dockerignore.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            neg = line.startswith("!")
            rules.append((neg, dockerignore_regex(line.lstrip("!"))))

    def excluded(rel: str) -> bool:
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        result = False
        for neg, rx in rules:
            if any(rx.match(p) for p in prefixes):
                result = not neg
        return result

    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src).as_posix()
        if excluded(rel) or not p.is_file():
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dst / rel)
    dst.mkdir(parents=True, exist_ok=True)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    out, buf = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        buf += stripped
        if buf:
            instr, _, arg = buf.partition(" ")
            out.append((instr.upper(), arg.strip()))
        buf = ""
    return out


def parse_env(arg: str) -> dict[str, str]:
    return dict(w.split("=", 1) for w in shlex.split(arg))


def verify_output(operator: str, outs: list[str], world: int) -> str | None:
    """What the starters print must show that the processes really cooperated."""
    text = "\n".join(outs)
    if operator == "jobset":
        lines = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
        if len(lines) != world:
            return f"expected {world} JSON summary lines, got {len(lines)}"
        total = sum(d["partial_sum_of_squares"] for d in lines)
        if (
            sorted(d["index"] for d in lines) != list(range(world))
            or total != lines[0]["full_sum_of_squares"]
        ):
            return f"shares do not add up: {lines}"
    elif operator == "jax":
        found = re.findall(r"global_devices=(\d+) sum=(\d+) \(expected (\d+)\)", text)
        if len(found) != world or any(int(g) != world or s != e for g, s, e in found):
            return f"expected {world} processes seeing {world} devices: {found}"
    elif operator == "xgboost":
        rows = re.findall(r"\[rank (\d+)/(\d+)\].*rows_total=(\d+)", text)
        if (
            len(rows) != world
            or len({r[2] for r in rows}) != 1
            or any(int(r[1]) != world for r in rows)
        ):
            return f"expected {world} ranks agreeing on rows_total: {rows}"
    elif operator == "kuberay":
        m = re.findall(r"sum_of_squares=(\d+) \(expected (\d+)\)", text)
        if len(m) != 1 or m[0][0] != m[0][1]:
            return f"driver summary missing or wrong: {m}"
        w = re.findall(r"workers=(\d+)/(\d+)", text)
        if len(w) != 1 or w[0][0] != w[0][1]:
            return f"worker nodes joined/expected missing or short: {w}"
    return None


def summary_line(operator: str, out: str) -> str:
    pats = {
        "jobset": r'"items": (\d+)',
        "jax": r"(global_devices=\d+ sum=\d+)",
        "xgboost": r"(rows_total=\d+)",
        "kuberay": r"(nodes_used=\d+)",
    }
    m = re.search(pats[operator], out)
    if not m:
        return ""
    return f"items={m.group(1)}" if operator == "jobset" else m.group(1)


def print_table(variants: list[Variant], wall: float) -> int:
    cell_w = 11
    name_w = max(len(v.name) for v in variants) + 1
    header = "variant".ljust(name_w) + "".join(c.rjust(cell_w) for c in COLUMNS)
    print("\n" + header)
    print("-" * len(header))
    failures = []
    for v in variants:
        row = v.name.ljust(name_w)
        for col in COLUMNS:
            r = v.results.get(col)
            if r is None:
                text = "-"
            elif r.status == "skip":
                text = "skip"
            else:
                text = f"{r.status} {r.seconds:.1f}s"
            if r is not None and r.status == "FAIL":
                failures.append(f"{v.name}/{col}: {r.detail}")
            row += text.rjust(cell_w)
        print(row)
    print("-" * len(header))
    print("ok/FAIL with seconds; note = advisory finding (hadolint at style level);")
    print("skip: not run on CPU here; '-': not reached after an earlier failure.")
    print("pytorch starters are not run here (the PyTorch index cannot be reached from CI):")
    print("  run them where torch can be installed with scripts/run-pytorch-starter.sh <project>.")
    print(f"checks wall time: {wall:.0f}s")
    notes = [
        f"{v.name}/{c}: {r.detail}"
        for v in variants
        for c, r in v.results.items()
        if r.status == "note"
    ]
    for n in notes:
        print(f"note: {n}")
    if failures:
        print(f"\n{len(failures)} check(s) FAILED:")
        for f in failures:
            print(f"  {f}")
    counts = [r.status for v in variants for r in v.results.values()]
    passed = sum(1 for c in counts if c in {"ok", "note"})
    skipped = counts.count("skip")
    # The plain closing line CI reads: 'N passed, N failed, N skipped'.
    print(f"\ngenerated: {passed} passed, {len(failures)} failed, {skipped} skipped")
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--aichor", required=True)
    ap.add_argument(
        "--tools", required=True, help="bin folder with uv, ruff, hadolint, validate-pyproject"
    )
    ap.add_argument("--work", required=True)
    ap.add_argument("variants", nargs="*", help="only these template-tests folders")
    args = ap.parse_args()
    start = time.monotonic()
    checker = Checker(args)
    names = sorted(p.parent.name for p in Path(args.repo, "template-tests").glob("*/answers.yaml"))
    if args.variants:
        unknown = set(args.variants) - set(names)
        if unknown:
            print(f"error: no template-tests folder {sorted(unknown)}", file=sys.stderr)
            return 2
        names = [n for n in names if n in args.variants]
    if not names:
        print("error: no template-tests/*/answers.yaml", file=sys.stderr)
        return 1
    try:
        variants = [checker.variant(n) for n in names]
    finally:
        shutil.rmtree(checker.ray_tmp, ignore_errors=True)
    return print_table(variants, time.monotonic() - start)


if __name__ == "__main__":
    sys.exit(main())
