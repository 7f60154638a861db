"""Build a corpus of public Roblox Luau from the npm scopes @rbxts, @rbxts-js and @quenty.

    python benchmarks/fetch_npm_corpus.py OUT [--names FILE] [--deps] [--jobs 4]

Lists the packages of the scopes, downloads each one's latest tarball (the
`dist.tarball` of its packument, checked against `dist.integrity`) and keeps
only its `.lua`/`.luau` files, as OUT/src/<@scope>/<name>/<path in package>.
A file whose bytes an earlier file already had is skipped (sha256), so every
file is kept once, under the first package (in name order) that ships it.
OUT/manifest.tsv has one row per kept file: file (relative to OUT), package,
version, path_in_package, sha256.

The list comes from the registry's search endpoint, paged until done. Where a
registry answers that it has no search (a mirror that serves packages by name
only), pass `--names FILE` instead: one package name a line, or a
tab-separated table whose first column is the name (a header row is skipped);
names outside the scopes are ignored. `--deps` adds every package of the
scopes that a listed one depends on (dependencies and peers), until none is
new; a name the registry does not serve is reported among the failures. The
registry is the one npm is set to use, unless `--registry URL` says otherwise.

Tarballs are hostile input: only regular files are read (no links, devices or
folders), a path that is absolute or climbs (`..`) is skipped, a file over
`--max-file-kb` is skipped, and so is a whole tarball over 64 MiB or with more
than 50,000 entries. A package that fails is reported and the run goes on.
OUT/state.json records every package done, so a rerun downloads only the ones
not yet done (the failed ones are tried again).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

SCOPES = ("rbxts", "rbxts-js", "quenty")
LUAU_SUFFIXES = (".lua", ".luau")
MAX_FILE_BYTES = 512 * 1024
MAX_TARBALL_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 50_000
# 250 is the most objects a search page may hold; the cap on the offset stops
# a registry whose `total` never runs out from being paged for ever (a scope
# past it is only partly listed, and the run says so).
SEARCH_PAGE = 250
SEARCH_CAP = 5000
MANIFEST_COLUMNS = ("file", "package", "version", "path_in_package", "sha256")
NAME = re.compile(r"^@([a-z0-9][a-z0-9._-]*)/([a-zA-Z0-9][a-zA-Z0-9._~-]*)$")

Fetch = Callable[[str, int], bytes]


def default_registry() -> str:
    """The registry npm itself is set to use, so a mirror configured for npm serves this too."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed; pass --registry URL")
    found = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True)
    return found.stdout.strip().rstrip("/") + "/"


def http_get(url: str, limit: int) -> bytes:
    """GET `url`, refusing a body over `limit` bytes; three tries for a flaky network."""
    if not url.startswith("https://"):
        raise ValueError(f"not an https URL: {url}")
    delay = 1.0
    for attempt in range(3):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "luaurft-corpus"})
            with urllib.request.urlopen(request, timeout=60) as response:
                body: bytes = response.read(limit + 1)
            if len(body) > limit:
                raise ValueError(f"over {limit} bytes: {url}")
            return body
        except urllib.error.HTTPError as error:
            # A 4xx is the registry's answer, not a glitch: trying again changes nothing.
            if error.code < 500 or attempt == 2:
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == 2:
                raise
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def in_scopes(name: str, scopes: Iterable[str] = SCOPES) -> bool:
    match = NAME.match(name)
    return match is not None and match.group(1) in set(scopes)


def search_scope(scope: str, registry: str, fetch: Fetch = http_get) -> list[str]:
    """Every package name the search endpoint lists for `scope`, page after page."""
    names: list[str] = []
    offset = 0
    while offset < SEARCH_CAP:
        query = urllib.parse.urlencode(
            {"text": f"scope:{scope}", "size": SEARCH_PAGE, "from": offset}
        )
        page = json.loads(fetch(f"{registry}-/v1/search?{query}", 16 * 1024 * 1024))
        if "objects" not in page:
            raise RuntimeError(f"search for scope {scope}: {page.get('error', page)}")
        objects = page["objects"]
        names.extend(obj["package"]["name"] for obj in objects)
        offset += len(objects)
        if not objects or offset >= int(page.get("total", 0)):
            break
    else:
        print(f"search for scope {scope}: stopped at the {SEARCH_CAP} cap", file=sys.stderr)
    return [name for name in names if in_scopes(name, (scope,))]


def read_names(path: Path, scopes: Iterable[str] = SCOPES) -> list[str]:
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("\t", 1)[0].strip()
        if in_scopes(name, scopes):
            names.append(name)
    return names


def safe_member_path(name: str) -> PurePosixPath | None:
    """The path of a tarball entry inside its package, or None where it could escape.

    npm tarballs hold everything under one top folder (usually `package/`),
    which is dropped.
    """
    if "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".")]
    if len(parts) < 2 or any(part == ".." for part in parts):
        return None
    return PurePosixPath(*parts[1:])


@dataclass
class Counts:
    kept: int = 0
    duplicate: int = 0
    oversize: int = 0
    unsafe: int = 0
    other: int = 0

    def add(self, other: Counts) -> None:
        for key in vars(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class Extracted:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_NOFOLLOW: a link planted at the destination is never written through.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def extract_luau(
    tarball: bytes,
    out: Path,
    package: str,
    version: str,
    seen: set[str],
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Extracted:
    """Write the package's new `.lua`/`.luau` files under OUT/src/<package>/ and return their rows.

    `seen` holds the sha256 of every file kept so far and gains the new ones.
    """
    if not NAME.match(package):
        raise ValueError(f"not a scoped package name: {package!r}")
    root = (out / "src" / package).resolve()
    result = Extracted()
    new: dict[str, tuple[Path, bytes]] = {}
    targets: set[Path] = set()
    entries = 0
    # Nothing is written before the whole tarball has read cleanly, so a
    # package that fails halfway leaves no file and marks no bytes as seen.
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive:
            entries += 1
            if entries > MAX_ENTRIES:
                raise ValueError(f"over {MAX_ENTRIES} entries")
            if not member.name.lower().endswith(LUAU_SUFFIXES):
                result.counts.other += 1
                continue
            inner = safe_member_path(member.name)
            if inner is None or not member.isreg():
                result.counts.unsafe += 1
                continue
            if member.size > max_file_bytes:
                result.counts.oversize += 1
                continue
            handle = archive.extractfile(member)
            if handle is None:
                result.counts.unsafe += 1
                continue
            data = handle.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                result.counts.oversize += 1
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen or digest in new:
                result.counts.duplicate += 1
                continue
            target = (root / inner).resolve()
            if not target.is_relative_to(root) or target in targets:
                result.counts.unsafe += 1
                continue
            new[digest] = (target, data)
            targets.add(target)
            relative = target.relative_to(out.resolve()).as_posix()
            result.rows.append((relative, package, version, inner.as_posix(), digest))
    for digest, (target, data) in new.items():
        _write_new(target, data)
        seen.add(digest)
    result.counts.kept = len(new)
    return result


def packument_url(name: str, registry: str) -> str:
    return registry + name.replace("/", "%2f")


@dataclass(frozen=True)
class Latest:
    name: str
    version: str
    tarball: str
    integrity: str
    dependencies: tuple[str, ...]


def latest(name: str, registry: str, fetch: Fetch = http_get) -> Latest:
    document = json.loads(fetch(packument_url(name, registry), 64 * 1024 * 1024))
    version = document["dist-tags"]["latest"]
    meta = document["versions"][version]
    dist = meta["dist"]
    depends = {**meta.get("dependencies", {}), **meta.get("peerDependencies", {})}
    return Latest(
        name=name,
        version=version,
        tarball=dist["tarball"],
        integrity=dist.get("integrity", ""),
        dependencies=tuple(sorted(depends)),
    )


def check_integrity(data: bytes, integrity: str) -> None:
    """Refuse bytes that do not match the packument's Subresource Integrity string."""
    for entry in integrity.split():
        algorithm, _, expected = entry.partition("-")
        if algorithm in ("sha512", "sha384", "sha256", "sha1"):
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if actual != expected:
                raise ValueError(f"{algorithm} integrity mismatch")
            return


@dataclass(frozen=True)
class Done:
    version: str
    dependencies: list[str]


class State:
    """OUT/state.json: the packages done (with their version and in-scope dependencies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, Done] = {}
        self.failed: dict[str, str] = {}
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.done = {name: Done(**entry) for name, entry in stored["done"].items()}
            self.failed = stored["failed"]

    def save(self) -> None:
        blob = {
            "done": {name: vars(done) for name, done in self.done.items()},
            "failed": self.failed,
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(blob, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(self.path)


def read_seen(manifest: Path) -> set[str]:
    if not manifest.exists():
        return set()
    lines = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[4] for line in lines if line}


def _download(item: Latest, fetch: Fetch) -> bytes:
    data = fetch(item.tarball, MAX_TARBALL_BYTES)
    check_integrity(data, item.integrity)
    return data


def _ordered(
    pool: ThreadPoolExecutor, work: Callable[[str], object], names: list[str]
) -> Iterator[tuple[str, object]]:
    """Run `work` on every name in the pool; yield (name, result or the exception) in order."""

    def guarded(name: str) -> object:
        try:
            return work(name)
        except Exception as error:
            return error

    yield from zip(names, pool.map(guarded, names), strict=True)


def build(
    out: Path,
    names: list[str],
    *,
    deps: bool = False,
    jobs: int = 4,
    fetch: Fetch = http_get,
    registry: str,
    max_file_bytes: int = MAX_FILE_BYTES,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    state = State(out / "state.json")
    manifest = out / "manifest.tsv"
    seen = read_seen(manifest)
    if not manifest.exists():
        manifest.write_text("\t".join(MANIFEST_COLUMNS) + "\n", encoding="utf-8")
    todo: dict[str, Latest] = {}
    failed: dict[str, str] = {}
    known = {name for name in names if in_scopes(name)}
    wave = sorted(known)
    totals = Counts()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # Everything is listed before anything is extracted, so packages are
        # extracted in name order: which package keeps a file that several
        # ship must not hang on download timing.
        while wave:
            fresh = [
                dep for name in wave if name in state.done for dep in state.done[name].dependencies
            ]
            pending = [name for name in wave if name not in state.done]
            for name, found in _ordered(pool, lambda n: latest(n, registry, fetch), pending):
                if isinstance(found, Latest):
                    todo[name] = found
                    fresh.extend(found.dependencies)
                else:
                    failed[name] = f"packument: {found}"
                    log(f"FAILED {name}: {failed[name]}")
            wave = sorted({dep for dep in fresh if in_scopes(dep)} - known) if deps else []
            known.update(wave)

        for name, data in _ordered(pool, lambda n: _download(todo[n], fetch), sorted(todo)):
            item = todo[name]
            try:
                if isinstance(data, Exception):
                    raise data
                assert isinstance(data, bytes)
                extracted = extract_luau(data, out, name, item.version, seen, max_file_bytes)
            except Exception as error:
                failed[name] = f"{type(error).__name__}: {error}"
                log(f"FAILED {name}@{item.version}: {failed[name]}")
                continue
            with manifest.open("a", encoding="utf-8") as handle:
                handle.writelines("\t".join(row) + "\n" for row in extracted.rows)
            totals.add(extracted.counts)
            dependencies = [dep for dep in item.dependencies if in_scopes(dep)]
            state.done[name] = Done(item.version, dependencies)
            state.failed.pop(name, None)
            state.save()
            log(f"{name}@{item.version}: {extracted.counts.kept} kept")
    state.failed.update(failed)
    state.save()
    return {
        "listed": len(known),
        "already_done": len(known - todo.keys() - failed.keys()),
        "fetched": len(todo.keys() - failed.keys()),
        "failed": failed,
        "files": vars(totals),
        "manifest_rows": len(read_seen(manifest)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--names", type=Path, help="package names to fetch instead of searching")
    parser.add_argument("--deps", action="store_true", help="add in-scope dependencies")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--registry", help="registry URL (default: the one npm uses)")
    parser.add_argument("--max-file-kb", type=int, default=MAX_FILE_BYTES // 1024)
    args = parser.parse_args(argv)
    started = time.monotonic()
    registry = args.registry or default_registry()
    if args.names is not None:
        names = read_names(args.names)
    else:
        try:
            names = [name for scope in SCOPES for name in search_scope(scope, registry)]
        except (RuntimeError, urllib.error.HTTPError) as error:
            parser.error(f"the registry gives no list ({error}); pass --names FILE")
    report = build(
        args.out,
        names,
        deps=args.deps,
        jobs=args.jobs,
        registry=registry,
        max_file_bytes=args.max_file_kb * 1024,
    )
    report["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=1))
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
