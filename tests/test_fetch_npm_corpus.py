"""The npm corpus fetcher keeps only new, safe Luau files from hostile tarballs (no network)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from conftest import load_benchmark

REGISTRY = "https://registry.test/"


@pytest.fixture(scope="module")
def fetcher() -> ModuleType:
    return load_benchmark("fetch_npm_corpus")


def _tgz(entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                name, data = entry
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _fifo(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.FIFOTYPE
    return info


MODULE = b"local M = {}\nreturn M\n"
HOSTILE = _tgz(
    [
        ("package/src/Module.lua", MODULE),
        ("package/src/Client.client.luau", b"print('client')\n"),
        ("package/README.md", b"# not Luau\n"),
        ("package/src/Copy.lua", MODULE),  # the same bytes under another name
        ("../evil.lua", b"print('escaped')\n"),
        ("package/../../evil2.lua", b"print('escaped')\n"),
        ("/abs.lua", b"print('absolute')\n"),
        _link("package/src/Link.lua", "/etc/passwd"),
        _link("package/src/Hard.lua", "package/src/Module.lua", tarfile.LNKTYPE),
        _fifo("package/src/Pipe.lua"),
        ("package/src/Big.lua", b"-" * 2048),
    ]
)


def test_extraction_keeps_only_new_safe_luau_files(fetcher: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: set[str] = set()
    result = fetcher.extract_luau(HOSTILE, out, "@rbxts/demo", "1.0.0", seen, max_file_bytes=1024)

    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [
        "src/@rbxts/demo/src/Client.client.luau",
        "src/@rbxts/demo/src/Module.lua",
    ]
    assert not list(tmp_path.rglob("evil*.lua")) and not (tmp_path / "abs.lua").exists()
    assert (out / "src/@rbxts/demo/src/Module.lua").read_bytes() == MODULE
    counts = vars(result.counts)
    assert counts == {"kept": 2, "duplicate": 1, "oversize": 1, "unsafe": 6, "other": 1}
    digest = hashlib.sha256(MODULE).hexdigest()
    assert (
        "src/@rbxts/demo/src/Module.lua",
        "@rbxts/demo",
        "1.0.0",
        "src/Module.lua",
        digest,
    ) in result.rows
    assert digest in seen and len(seen) == 2


def test_bytes_seen_in_an_earlier_package_are_not_kept_again(
    fetcher: ModuleType, tmp_path: Path
) -> None:
    seen: set[str] = set()
    first = fetcher.extract_luau(HOSTILE, tmp_path, "@quenty/first", "1.0.0", seen)
    again = fetcher.extract_luau(HOSTILE, tmp_path, "@quenty/second", "2.0.0", seen)
    assert first.counts.kept == 3  # Big.lua too: under the default cap
    assert again.rows == [] and again.counts.duplicate == 4
    assert not (tmp_path / "src/@quenty/second").exists()


def test_a_package_name_that_is_a_path_is_refused(fetcher: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        fetcher.extract_luau(HOSTILE, tmp_path, "@rbxts/../../x", "1.0.0", set())


@pytest.mark.parametrize(
    ("name", "inner"),
    [
        ("package/src/a.lua", "src/a.lua"),
        ("./package/./a.lua", "a.lua"),
        ("other-top/a.lua", "a.lua"),
        ("package/../a.lua", None),
        ("/package/a.lua", None),
        ("package\\..\\a.lua", None),
        ("a.lua", None),
    ],
)
def test_member_paths(fetcher: ModuleType, name: str, inner: str | None) -> None:
    found = fetcher.safe_member_path(name)
    assert (None if found is None else found.as_posix()) == inner


class FakeRegistry:
    """Packuments and tarballs by URL; counts every request."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests: list[str] = []

    def publish(self, name: str, version: str, tarball: bytes, deps: dict[str, str]) -> None:
        url = f"{REGISTRY}{name}/-/{version}.tgz"
        integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        meta = {"dist": {"tarball": url, "integrity": integrity}, "dependencies": deps}
        packument = {"dist-tags": {"latest": version}, "versions": {version: meta}}
        self.bodies[REGISTRY + name.replace("/", "%2f")] = json.dumps(packument).encode()
        self.bodies[url] = tarball

    def __call__(self, url: str, limit: int) -> bytes:
        self.requests.append(url)
        if url not in self.bodies:
            raise OSError(f"404 {url}")
        return self.bodies[url]


def test_build_follows_scoped_deps_goes_on_after_a_failure_and_resumes(
    fetcher: ModuleType, tmp_path: Path
) -> None:
    registry = FakeRegistry()
    shared = ("package/Shared.lua", b"return 'shared'\n")
    registry.publish(
        "@rbxts/a",
        "1.0.0",
        _tgz([("package/A.lua", b"return 'a'\n"), shared]),
        {"@quenty/dep": "^1", "left-pad": "^1", "@quenty/gone": "^1"},
    )
    registry.publish(
        "@quenty/dep", "1.2.0", _tgz([("package/Dep.luau", b"return 1\n"), shared]), {}
    )
    registry.publish("@rbxts/broken", "0.1.0", b"not a tarball", {})
    out = tmp_path / "corpus"

    def build() -> dict[str, object]:
        return fetcher.build(
            out,
            ["@rbxts/a", "@rbxts/broken", "lodash"],
            deps=True,
            jobs=2,
            fetch=registry,
            registry=REGISTRY,
            log=lambda line: None,
        )

    report = build()
    assert sorted(report["failed"]) == ["@quenty/gone", "@rbxts/broken"]
    assert report["listed"] == 4  # lodash is outside the scopes, left-pad too
    rows = [line.split("\t") for line in (out / "manifest.tsv").read_text().splitlines()]
    assert rows[0] == ["file", "package", "version", "path_in_package", "sha256"]
    # Extraction runs in name order, so @quenty/dep keeps the file both ship.
    assert sorted((row[1], row[3]) for row in rows[1:]) == [
        ("@quenty/dep", "Dep.luau"),
        ("@quenty/dep", "Shared.lua"),
        ("@rbxts/a", "A.lua"),
    ]

    registry.requests.clear()
    again = build()
    assert again["already_done"] == 2 and again["fetched"] == 0
    assert all("broken" in url or "gone" in url for url in registry.requests)
    assert len((out / "manifest.tsv").read_text().splitlines()) == 4


def test_a_tarball_that_fails_its_integrity_check_is_not_extracted(
    fetcher: ModuleType, tmp_path: Path
) -> None:
    registry = FakeRegistry()
    registry.publish("@rbxts/a", "1.0.0", HOSTILE, {})
    registry.bodies[f"{REGISTRY}@rbxts/a/-/1.0.0.tgz"] = _tgz([("package/X.lua", b"x()\n")])
    report = fetcher.build(
        tmp_path, ["@rbxts/a"], fetch=registry, registry=REGISTRY, log=lambda line: None
    )
    assert "integrity" in report["failed"]["@rbxts/a"]
    assert not (tmp_path / "src").exists()


def test_search_pages_until_the_total(fetcher: ModuleType) -> None:
    def page(names: list[str], total: int) -> bytes:
        objects = [{"package": {"name": name}} for name in names]
        return json.dumps({"objects": objects, "total": total}).encode()

    first = [f"@quenty/p{i}" for i in range(fetcher.SEARCH_PAGE)]
    pages = {
        0: page([*first[:-1], "@quentyx/other"], 252),
        250: page(["@quenty/z", "@quenty/y"], 252),
    }
    offsets: list[int] = []

    def fetch(url: str, limit: int) -> bytes:
        offset = int(url.rsplit("from=", 1)[1])
        offsets.append(offset)
        return pages[offset]

    names = fetcher.search_scope("quenty", REGISTRY, fetch)
    assert offsets == [0, 250]
    assert len(names) == 251 and "@quentyx/other" not in names


def test_a_registry_without_search_is_an_error(fetcher: ModuleType) -> None:
    def fetch(url: str, limit: int) -> bytes:
        return b'{"error": "Search is not available here."}'

    with pytest.raises(RuntimeError, match="not available"):
        fetcher.search_scope("rbxts", REGISTRY, fetch)


def test_names_come_from_a_list_or_a_table(fetcher: ModuleType, tmp_path: Path) -> None:
    table = tmp_path / "names.tsv"
    table.write_text("name\tversion\n@rbxts/t\t3.2.1\nreact\t18\n@rbxts-js/jest\t3\n@quenty/x\n")
    assert fetcher.read_names(table) == ["@rbxts/t", "@rbxts-js/jest", "@quenty/x"]
