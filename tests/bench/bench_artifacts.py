"""Benchmark artifact hashing: `regtui verify` of a large local file against `openssl dgst -sha256`, `register` of
four local artifacts against `sha256sum` run in parallel, and verify and pull from moto's S3 server against a plain
streaming read of the same objects with the same library (s3fs).

    python tests/bench/bench_artifacts.py [--work DIR] [--runs 3] [--local-mib 1024] [--parts-mib 256]
                                          [--s3-mib 64] [--skip local,register,s3]

Method. Local: one file of --local-mib MiB; `regtui verify` and `openssl dgst -sha256` are each timed as whole
processes (start-up included), alternating, --runs each; the page cache is warm for both (the file was just
written, then read once by each before timing). Register: four files of --parts-mib MiB; `regtui register` of a
manifest naming them (without digests, so it hashes them), against `sha256sum` of the four run as four parallel
processes (`xargs -P 4`); the registry is re-created for every register run. S3: four objects of --s3-mib MiB on a
moto server started here on 127.0.0.1; in one process, the service's verify (four at once, each read ahead in a
thread while hashing) and the service's pull of the version registered from them (also writing and renaming the
files), against reading the same objects with s3fs's open/read in the same chunk size, four threads, without
hashing; the pull, which must write its files, against a plain download (the same read written to files and
fsynced, no hashing: what hashing and the checks add to a download, the target's "so hashing adds little"), its
ratio to the plain read printed beside. Prints medians with ranges, the ratios against the targets
(PASS or MISS) and the load average at start and end: on a shared machine, rerun when the load is high.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from regtui.config import Locations
from regtui.domain.entry import Artifact
from regtui.providers.object_store import STREAM_CHUNK, FsspecObjectReader
from regtui.services.artifact_io import Readers, verify_all
from regtui.services.pull import pull as pull_version
from regtui.services.registry import RegistryService

TARGET_VERIFY = 1.15
TARGET_S3 = 1.2
TARGET_REGISTER = 1.3
MIB = 1024 * 1024


def load() -> str:
    """The load average, as uptime shows it."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds one process takes, start to exit (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def write_file(path: Path, mib: int) -> None:
    """A file of random-looking bytes (one random MiB repeated with a counter, so it does not compress)."""
    block = os.urandom(MIB)
    with open(path, "wb") as out:
        for index in range(mib):
            out.write(index.to_bytes(8, "little") + block[8:])


def manifest(folder: Path, version: str, files: list[Path]) -> Path:
    """A model-version manifest naming the files without digests (register measures them)."""
    document = {
        "kind": "model-version",
        "model": "bench",
        "version": version,
        "change_kind": "initial",
        "framework": "none",
        "owner": "bench",
        "created_at": "2026-01-01T00:00:00Z",
        "training_data": "none",
        "artifacts": [{"name": f.name, "uri": str(f)} for f in files],
    }
    path = folder / f"manifest-{version}.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def regtui_env(work: Path, registry: Path) -> dict[str, str]:
    """The environment of a regtui process on a registry of its own (no user configuration file)."""
    return {
        **os.environ,
        "REGTUI_REGISTRY": f"sqlite:///{registry}",
        "REGTUI_CACHE": str(registry.with_suffix(".cache.db")),
        "REGTUI_CONFIG": str(work / "no-config.yaml"),
        "REGTUI_USER": "bench",
    }


def fresh_registry(work: Path, name: str) -> dict[str, str]:
    """A new registry initialised by `regtui init`; returns the environment that uses it."""
    registry = work / f"{name}.db"
    for stale in work.glob(f"{name}*.db*"):
        stale.unlink()
    env = regtui_env(work, registry)
    subprocess.run([regtui(), "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def regtui() -> str:
    """The installed regtui next to this interpreter."""
    return str(Path(sys.executable).with_name("regtui"))


def alternate(runs: int, first: Callable[[], float], second: Callable[[], float]) -> tuple[list[float], list[float]]:
    """Run the two timings in turn, runs times each."""
    a, b = [], []
    for _ in range(runs):
        a.append(first())
        b.append(second())
    return a, b


def ratio(measured: list[float], baseline: list[float]) -> float:
    """The ratio of the medians."""
    return statistics.median(measured) / statistics.median(baseline)


def summary(label: str, values: list[float]) -> str:
    """'label: median s (min..max)'."""
    return f"{label}: {statistics.median(values):.2f} s ({min(values):.2f}..{max(values):.2f})"


def bench_local(work: Path, runs: int, mib: int) -> tuple[str, float, float]:
    """verify of one large file against openssl dgst."""
    big = work / "big.bin"
    write_file(big, mib)
    env = fresh_registry(work, "local")
    subprocess.run([regtui(), "register", str(manifest(work, "1.0.0", [big]))], env=env, check=True)
    timed(["openssl", "dgst", "-sha256", str(big)], env)
    verify, openssl = alternate(
        runs,
        lambda: timed([regtui(), "verify", "bench@1.0.0"], env),
        lambda: timed(["openssl", "dgst", "-sha256", str(big)], env),
    )
    print(summary(f"  regtui verify ({mib} MiB)", verify))
    print(summary("  openssl dgst -sha256", openssl))
    big.unlink()
    return f"verify {mib} MiB local vs openssl", ratio(verify, openssl), TARGET_VERIFY


def bench_register(work: Path, runs: int, mib: int) -> tuple[str, float, float]:
    """register of four files against sha256sum of the four in parallel."""
    parts = [work / f"part-{i}.bin" for i in range(4)]
    for part in parts:
        write_file(part, mib)
    document = manifest(work, "1.0.0", parts)
    sums = ["sh", "-c", "printf '%s\\n' " + " ".join(map(str, parts)) + " | xargs -P 4 -n 1 sha256sum"]

    def register() -> float:
        env = fresh_registry(work, "register")
        return timed([regtui(), "register", str(document)], env)

    timed(sums, dict(os.environ))
    registered, summed = alternate(runs, register, lambda: timed(sums, dict(os.environ)))
    print(summary(f"  regtui register (4 x {mib} MiB)", registered))
    print(summary("  sha256sum x 4 in parallel", summed))
    for part in parts:
        part.unlink()
    return f"register 4 x {mib} MiB vs parallel sha256sum", ratio(registered, summed), TARGET_REGISTER


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_s3(work: Path, runs: int, mib: int) -> list[tuple[str, float, float]]:
    """verify and pull of four objects from moto against a plain s3fs read of them."""
    import boto3
    import s3fs

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="bench-artifacts")
        client.put_bucket_versioning(Bucket="bench-artifacts", VersioningConfiguration={"Status": "Enabled"})
        reader = FsspecObjectReader(endpoint)
        artifacts = []
        for index in range(4):
            body = os.urandom(MIB) * mib
            key = f"m/part-{index}.bin"
            client.put_object(Bucket="bench-artifacts", Key=key, Body=body)
            uri = f"s3://bench-artifacts/{key}"
            version, etag = reader.pin(uri)
            artifacts.append(Artifact(key, uri, hashlib.sha256(body).hexdigest(), len(body), version, etag))
        fs = s3fs.S3FileSystem(endpoint_url=endpoint, version_aware=True)
        readers = Readers(reader)

        def plain_one(artifact: Artifact) -> int:
            size = 0
            path = artifact.uri.removeprefix("s3://")
            version = artifact.object_version
            with fs.open(path, "rb", block_size=STREAM_CHUNK, cache_type="none", version_id=version) as f:
                while chunk := f.read(STREAM_CHUNK):
                    size += len(chunk)
            return size

        def download_one(artifact: Artifact) -> int:
            size = 0
            path = artifact.uri.removeprefix("s3://")
            version = artifact.object_version
            target = work / "downloaded" / Path(path).name
            with fs.open(path, "rb", block_size=STREAM_CHUNK, cache_type="none", version_id=version) as f:
                with open(target, "wb") as out:
                    while chunk := f.read(STREAM_CHUNK):
                        out.write(chunk)
                        size += len(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            return size

        def plain(one: Callable[[Artifact], int] = plain_one) -> float:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=4) as pool:
                assert sum(pool.map(one, artifacts)) == 4 * mib * MIB
            return time.perf_counter() - started

        def download() -> float:
            (work / "downloaded").mkdir(exist_ok=True)
            elapsed = plain(download_one)
            shutil.rmtree(work / "downloaded")
            return elapsed

        def verify() -> float:
            started = time.perf_counter()
            assert all(r.ok for r in verify_all(artifacts, using=readers))
            return time.perf_counter() - started

        env = fresh_registry(work, "s3")
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        registered = manifest(work, "1.0.0", [])
        document = yaml.safe_load(registered.read_text())
        document["artifacts"] = [{"name": Path(a.name).name, "uri": a.uri} for a in artifacts]
        registered.write_text(yaml.safe_dump(document), encoding="utf-8")
        subprocess.run([regtui(), "register", str(registered)], env={**env, **os.environ, **_registry(env)}, check=True)
        service = RegistryService(Locations(env["REGTUI_REGISTRY"], Path(env["REGTUI_CACHE"])), identity="bench")

        def pull() -> float:
            target = work / "pulled"
            started = time.perf_counter()
            pull_version(service, "bench@1.0.0", target)
            elapsed = time.perf_counter() - started
            shutil.rmtree(target)
            return elapsed

        plain()
        verified, plain_verify = alternate(runs, verify, plain)
        pulled, plain_pull = alternate(runs, pull, plain)
        pulled_again, downloaded = alternate(runs, pull, download)
        print(summary(f"  verify 4 x {mib} MiB from moto", verified))
        print(summary("  plain s3fs read (for verify)", plain_verify))
        print(summary(f"  pull 4 x {mib} MiB from moto (hash + write)", pulled))
        print(summary("  plain s3fs read (for pull)", plain_pull))
        print(summary("  pull again (for the download)", pulled_again))
        print(summary("  plain s3fs download (read, write, fsync; no hashing)", downloaded))
        print(f"  pull vs plain read (it writes and fsyncs, the read does not): {ratio(pulled, plain_pull):.2f}x")
        return [
            ("verify from S3 vs plain read", ratio(verified, plain_verify), TARGET_S3),
            ("pull from S3 vs plain download", ratio(pulled_again, downloaded), TARGET_S3),
        ]
    finally:
        server.terminate()
        server.wait()


def _registry(env: dict[str, str]) -> dict[str, str]:
    """The regtui variables of an environment (they win over the process's own)."""
    return {k: v for k, v in env.items() if k.startswith("REGTUI_")}


def main() -> None:
    """Run the chosen benchmarks and print the figures against their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--local-mib", type=int, default=1024)
    parser.add_argument("--parts-mib", type=int, default=256)
    parser.add_argument("--s3-mib", type=int, default=64)
    parser.add_argument("--skip", default="", help="comma-separated: local, register, s3")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = args.work or Path(tempfile.mkdtemp(prefix="regtui-bench-artifacts-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {load()} ({os.cpu_count()} cores)")
    figures = []
    try:
        if "local" not in skip:
            figures.append(bench_local(work, args.runs, args.local_mib))
        if "register" not in skip:
            figures.append(bench_register(work, args.runs, args.parts_mib))
        if "s3" not in skip:
            figures.extend(bench_s3(work, args.runs, args.s3_mib))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average at end: {load()}")
    for label, ratio, target in figures:
        print(f"{'PASS' if ratio <= target else 'MISS'}  {label}: {ratio:.2f}x (target <= {target}x)")


if __name__ == "__main__":
    main()
