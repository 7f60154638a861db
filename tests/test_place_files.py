"""Place and model files: both formats load into the same typed tree, the XML
writer round-trips it, and corrupt or unknown input gets the documented outcome."""

from __future__ import annotations

import math
import struct
import warnings
from pathlib import Path

import lz4.block
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHARED
from luaurft.roblox.files import (
    RobloxFileError,
    RobloxFileWarning,
    RobloxTree,
    load_roblox_file,
    read_roblox_bytes,
    tree_differences,
    write_xml,
)
from luaurft.roblox.files.binary_reader import read_binary
from luaurft.roblox.files.cursor import Cursor
from luaurft.roblox.files.values import (
    BrickColor,
    CFrame,
    Color3,
    ContentId,
    EnumItem,
    Font,
    NumberRange,
    ProtectedString,
    Rect,
    Ref,
    UDim,
    UDim2,
    Vector2,
    Vector3,
    basic_rotation,
)

CORPUS = SHARED / "roblox-files"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/roblox-files is absent")


def _pairs() -> list[tuple[Path, Path]]:
    if not CORPUS.is_dir():
        return []
    out = []
    for folder in sorted([*CORPUS.glob("models/*"), *CORPUS.glob("places/*")]):
        binary = [*folder.glob("binary.rbx*")]
        xml = [*folder.glob("xml.rbx*")]
        if binary and xml:
            out.append((binary[0], xml[0]))
    return out


def _all_files() -> list[Path]:
    return sorted(CORPUS.glob("*/*/*.rbx*")) if CORPUS.is_dir() else []


def _quiet_load(path: Path) -> RobloxTree:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RobloxFileWarning)
        return load_roblox_file(path)


# Where the corpus's two copies of a file really differ (not a reader's doing).
# Studio writes its selection state (`FilteredSelection`, class `Instance`) only
# into binary places; the default part was inserted twice, at two positions.
KNOWN_ASYMMETRY = {
    "default-inserted-part": {"Part.CFrame"},
}


@pytest.mark.parametrize("binary, xml", _pairs(), ids=lambda p: p.parent.name)
def test_binary_and_xml_copies_load_into_the_same_tree(binary: Path, xml: Path) -> None:
    from_binary, from_xml = _quiet_load(binary), _quiet_load(xml)
    assert len(from_binary) > 0
    differences = tree_differences(from_binary, from_xml, rel_tol=1e-5, abs_tol=1e-5)
    allowed = KNOWN_ASYMMETRY.get(binary.parent.name, set())
    unexplained = [
        line
        for line in differences
        if not line.startswith("FilteredSelection (Instance): only in the first tree")
        and line.split(":")[0] not in allowed
    ]
    assert unexplained == []
    # Every instance is accounted for: the only binary-only ones are selection state.
    extra = len(from_binary) - len(from_xml)
    assert extra == sum(1 for r in from_binary.roots if r.name == "FilteredSelection")


def test_the_comparison_notices_a_changed_value_a_moved_instance_and_a_lost_tag() -> None:
    tree = _quiet_load(CORPUS / "models/three-nested-folders/binary.rbxm")
    other = _quiet_load(CORPUS / "models/three-nested-folders/binary.rbxm")
    assert tree_differences(tree, other) == []
    inner = next(i for i in other.instances() if not i.children)
    inner.properties["Name"] = "Renamed"
    inner.tags.append("Extra")
    lines = tree_differences(tree, other)
    assert any("only in the first tree" in line for line in lines)
    assert any("only in the second tree" in line for line in lines)


def test_property_values_are_typed() -> None:
    folder = _quiet_load(CORPUS / "models/attributes/binary.rbxm").roots[0]
    attributes = folder.attributes
    assert attributes["Boolean"] is True
    assert attributes["BrickColor"] == BrickColor(1004)
    assert attributes["Number"] == 12345
    assert attributes["String"] == "Hello, world!"
    assert attributes["Vector2"] == Vector2(10, 50)
    assert attributes["Vector3"] == Vector3(1, 2, 3)
    assert attributes["UDim"] == UDim(0.5, 100)
    assert attributes["UDim2"].x == UDim(0.5, 10) and attributes["UDim2"].y.offset == 30
    assert attributes["NumberRange"] == NumberRange(5, 10)
    assert attributes["Rect"] == Rect(Vector2(1, 2), Vector2(3, 4))
    assert attributes["Infinity"] == math.inf and math.isnan(attributes["NaN"])
    color = attributes["Color3"]
    assert isinstance(color, Color3)
    assert (round(color.r * 255), round(color.g * 255), round(color.b * 255)) == (162, 0, 255)
    assert [k[1] for k in attributes["NumberSequence"].keypoints] == [1, 0, 1]

    tags = _quiet_load(CORPUS / "models/tags/xml.rbxmx").roots[0]
    assert tags.tags == ["Cool", "My", "Tags"]
    assert "Tags" not in tags.properties and "AttributesSerialize" not in tags.properties

    enum = _quiet_load(CORPUS / "models/folder-with-enum-attribute/binary.rbxm").roots[0]
    assert enum.attributes["AnEnumValue"] == EnumItem("Material", 512)  # Enum.Material.Wood

    module = _quiet_load(CORPUS / "models/default-inserted-modulescript/binary.rbxm").roots[0]
    assert isinstance(module.properties["Source"], ProtectedString)
    assert "local module = {}" in module.properties["Source"]

    font = _quiet_load(CORPUS / "models/font/binary.rbxm")
    assert any(isinstance(v, Font) for i in font.instances() for v in i.properties.values())

    number = _quiet_load(CORPUS / "models/funny-numbervalue/binary.rbxm").roots[0]
    assert number.properties["Value"] == pytest.approx(1.23456)


def test_refs_point_at_instances_of_the_same_file() -> None:
    tree = _quiet_load(CORPUS / "models/ref-child/binary.rbxm")
    holder = next(i for i in tree.instances() if i.class_name == "ObjectValue")
    value = holder.properties["Value"]
    assert isinstance(value, Ref) and value.target is not None
    assert value.target.parent is holder


def test_every_special_cframe_rotation_is_a_rotation_matrix() -> None:
    tree = _quiet_load(CORPUS / "models/cframe-special-cases/binary.rbxm")
    assert len(tree) == 24
    for value in tree.instances():
        cframe = value.properties["Value"]
        assert isinstance(cframe, CFrame)
        # Each CFrameValue is named after the id it was stored with.
        assert cframe.rotation == basic_rotation(int(value.name, 16)), value.name
    assert [rid for rid in range(64) if basic_rotation(rid) is not None] == [
        0x02, 0x03, 0x05, 0x06, 0x07, 0x09, 0x0A, 0x0C, 0x0D, 0x0E, 0x10, 0x11,
        0x14, 0x15, 0x17, 0x18, 0x19, 0x1B, 0x1C, 0x1E, 0x1F, 0x20, 0x22, 0x23,
    ]  # fmt: skip


def test_interleaved_arrays_decode_as_the_format_describes() -> None:
    from luaurft.roblox.files import binary_reader as br

    # The format description's own examples.
    vectors = br._vector3s(
        Cursor(bytes.fromhex("7F7F000000000001808000000000000180808080000000 01".replace(" ", ""))),
        2,
    )
    assert vectors == [Vector3(1, 2, 3), Vector3(-1, -2, -3)]
    udim2 = br._udim2s(Cursor(bytes.fromhex("7e8000007f8000010000003b00000078")), 1)
    assert udim2 == [UDim2(UDim(0.75, -30), UDim(-1.5, 60))]
    colors = br._brick_colors(Cursor(bytes.fromhex("000000000000030003EC25F2")), 3)
    assert colors == [1004, 37, 1010]


def test_each_corpus_file_names_its_script_and_parts_by_instance_path() -> None:
    place = _quiet_load(CORPUS / "places/baseplate-566/binary.rbxl")
    assert place.find("Workspace.Baseplate") is not None
    assert place.find("Workspace.Baseplate").class_name == "Part"
    assert place.find(("Workspace", "Nope")) is None
    assert {r.class_name for r in place.roots} >= {"Workspace", "Lighting", "ReplicatedStorage"}


# -- round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("path", _all_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_xml_writer_round_trip_keeps_the_tree(path: Path) -> None:
    tree = _quiet_load(path)
    again = read_roblox_bytes(write_xml(tree).encode("utf-8"), "round-trip")
    assert tree_differences(tree, again, rel_tol=0, abs_tol=0) == []
    assert len(again) == len(tree)


def test_round_trip_keeps_awkward_strings_and_edited_attributes() -> None:
    tree = _quiet_load(CORPUS / "models/default-inserted-modulescript/xml.rbxmx")
    module = tree.roots[0]
    module.properties["Source"] = ProtectedString('print("]]>")\r\nreturn {}\n')
    module.properties["Name"] = 'A <weird> & "quoted" name '
    module.attributes["Spawn"] = CFrame(Vector3(1, 2, 3), basic_rotation(0x14) or ())
    module.attributes["Label"] = "hi"
    module.tags = ["Enemy", "Boss"]
    again = read_roblox_bytes(write_xml(tree).encode("utf-8"))
    assert tree_differences(tree, again, rel_tol=0, abs_tol=0) == []
    assert again.roots[0].properties["Source"] == 'print("]]>")\r\nreturn {}\n'


# -- corrupt and unknown input ---------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[int, bytes, int, int]]:
    """(offset, name, compressed length, uncompressed length) of each chunk."""
    out, pos = [], 32
    while pos < len(data):
        name = data[pos : pos + 4].rstrip(b"\0")
        compressed, size = struct.unpack_from("<II", data, pos + 4)
        out.append((pos, name, compressed, size))
        if name == b"END":
            break
        pos += 16 + (compressed or size)
    return out


def _model() -> bytes:
    return (CORPUS / "models/three-nested-folders/binary.rbxm").read_bytes()


def _chunk(name: bytes, body: bytes, compress: bool = False) -> bytes:
    if compress:
        packed = lz4.block.compress(body, store_size=False)
        return name.ljust(4, b"\0") + struct.pack("<III", len(packed), len(body), 0) + packed
    return name.ljust(4, b"\0") + struct.pack("<III", 0, len(body), 0) + body


def _insert_before(data: bytes, chunk_name: bytes, extra: bytes) -> bytes:
    offset = next(pos for pos, name, _, _ in _chunks(data) if name == chunk_name)
    return data[:offset] + extra + data[offset:]


def test_truncated_files_name_the_file_and_offset() -> None:
    data = _model()
    for cut in (0, 10, 31, 40, len(data) // 2, len(data) - 5):
        with pytest.raises(RobloxFileError) as caught:
            read_roblox_bytes(data[:cut], "cut.rbxm")
        assert "cut.rbxm" in str(caught.value)
        assert caught.value.offset is not None and caught.value.offset <= cut


def test_bad_magic_and_non_roblox_files_are_refused() -> None:
    data = _model()
    with pytest.raises(RobloxFileError, match="bad magic"):
        read_roblox_bytes(data[:9] + b"\x00" + data[10:], "magic.rbxm")
    with pytest.raises(RobloxFileError, match="not a Roblox place or model file"):
        read_roblox_bytes(b"print('hello')", "script.rbxm")
    with pytest.raises(RobloxFileError, match="cannot open"):
        load_roblox_file(CORPUS / "no-such-file.rbxl")


def test_a_chunk_with_a_wrong_length_is_corrupt() -> None:
    data = bytearray(_model())
    pos, name, _compressed, size = next(c for c in _chunks(bytes(data)) if c[2])
    # Longer than the file: caught before reading.
    too_long = bytearray(data)
    struct.pack_into("<I", too_long, pos + 4, len(data))
    with pytest.raises(RobloxFileError, match="claims") as caught:
        read_roblox_bytes(bytes(too_long), "long.rbxm")
    assert caught.value.offset == pos
    # A wrong uncompressed length: the body does not decompress to it.
    wrong_size = bytearray(data)
    struct.pack_into("<I", wrong_size, pos + 8, size + 7)
    with pytest.raises(RobloxFileError) as caught:
        read_roblox_bytes(bytes(wrong_size), "size.rbxm")
    assert caught.value.offset == pos and name.decode() in str(caught.value)


def test_an_unknown_chunk_is_skipped_with_a_warning() -> None:
    data = _model()
    patched = _insert_before(data, b"PRNT", _chunk(b"ZZZZ", b"anything at all"))
    with pytest.warns(RobloxFileWarning, match="unknown chunk 'ZZZZ'"):
        tree = read_roblox_bytes(patched, "extra.rbxm")
    assert tree_differences(tree, read_roblox_bytes(data)) == []
    assert tree.warnings and "ZZZZ" in tree.warnings[0]


def test_an_unknown_property_type_is_skipped_with_a_warning() -> None:
    data = _model()
    body = struct.pack("<I", 0) + struct.pack("<I", 7) + b"Mystery" + b"\x7f" + b"\x01\x02\x03"
    patched = _insert_before(data, b"PRNT", _chunk(b"PROP", body, compress=True))
    with pytest.warns(RobloxFileWarning, match=r"Mystery has unknown type 0x7f"):
        tree = read_roblox_bytes(patched, "odd.rbxm")
    assert all("Mystery" not in i.properties for i in tree.instances())
    assert tree_differences(tree, read_roblox_bytes(data)) == []


def test_a_property_for_an_undefined_class_is_corrupt_and_names_the_chunk() -> None:
    body = struct.pack("<I", 99) + struct.pack("<I", 4) + b"Name" + b"\x01"
    patched = _insert_before(_model(), b"PRNT", _chunk(b"PROP", body))
    with pytest.raises(RobloxFileError, match="class id 99") as caught:
        read_roblox_bytes(patched, "undefined.rbxm")
    assert "'PROP' at byte" in str(caught.value)


def test_xml_unknown_types_are_skipped_and_bad_xml_is_refused() -> None:
    with pytest.warns(RobloxFileWarning, match="unknown type <Baloney>"):
        tree = load_roblox_file(CORPUS / "edge-cases/xml-unknown-type/xml.rbxmx")
    value = tree.roots[0]
    assert value.name == "A NumberValue" and "hello" not in value.properties

    empty_font = _quiet_load(CORPUS / "edge-cases/empty-font/xml.rbxmx").roots[0]
    assert empty_font.properties["FontFace"] == Font("", 400, "Normal", "")

    with pytest.raises(RobloxFileError, match=r"line 1, column"):
        read_roblox_bytes(b"<roblox version='4'><Item class='Part'>", "cut.rbxmx")
    mentions_a_dtd = (
        b"<roblox version='4'><Item class='Script' referent='A'><Properties>"
        b"<ProtectedString name='Source'><![CDATA[print('<!DOCTYPE html>')]]></ProtectedString>"
        b"</Properties></Item></roblox>"
    )
    assert "<!DOCTYPE" in read_roblox_bytes(mentions_a_dtd).roots[0].properties["Source"]
    with pytest.raises(RobloxFileError, match="DTD"):
        read_roblox_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><roblox/>', "d")
    bad_float = (
        b"<roblox version='4'><Item class='Part' referent='A'><Properties>"
        b"<float name='Transparency'>lots</float></Properties></Item></roblox>"
    )
    with pytest.raises(RobloxFileError, match=r"'Transparency' of a Part.*not a number"):
        read_roblox_bytes(bad_float, "bad.rbxmx")


def test_a_legacy_content_url_is_a_content_id() -> None:
    text = (
        b"<roblox version='4'><Item class='Decal' referent='A'><Properties>"
        b"<Content name='Texture'><url>rbxassetid://1</url></Content>"
        b"</Properties></Item></roblox>"
    )
    decal = read_roblox_bytes(text).roots[0]
    assert decal.properties["Texture"] == ContentId("rbxassetid://1")


# -- fuzzing -------------------------------------------------------------------------------


def _check_never_crashes(data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RobloxFileWarning)
        try:
            tree = read_binary(data, "fuzz.rbxm")
        except RobloxFileError as error:
            assert "fuzz.rbxm" in str(error)
            return
    sum(1 for _ in tree.instances())  # a returned tree is finite (no parent cycle)


_SEED = (CORPUS / "models/attributes/binary.rbxm").read_bytes() if CORPUS.is_dir() else b""
# Uncompressed chunks too, so mutations reach the chunk parsers, not only LZ4.
_UNCOMPRESSED_SEED = b""
if _SEED:
    _UNCOMPRESSED_SEED = _SEED[:32]
    for _pos, _name, _compressed, _size in _chunks(_SEED):
        _stored = _SEED[_pos + 16 : _pos + 16 + (_compressed or _size)]
        _body = lz4.block.decompress(_stored, uncompressed_size=_size) if _compressed else _stored
        _UNCOMPRESSED_SEED += _chunk(_name, _body)


@pytest.mark.timeout(120)
@settings(
    max_examples=300,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    seed=st.sampled_from(["compressed", "uncompressed"]),
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4000), st.integers(0, 255)), max_size=8
    ),
    cut=st.integers(min_value=0, max_value=4000),
)
def test_fuzzed_binary_files_never_crash(seed: str, edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_SEED if seed == "compressed" else _UNCOMPRESSED_SEED)
    for position, value in edits:
        data[position % len(data)] = value
    if cut % 3 == 0:
        data = data[: cut % (len(data) + 1)]
    _check_never_crashes(bytes(data))


@pytest.mark.timeout(60)
@settings(max_examples=200, deadline=2000, derandomize=True)
@given(body=st.binary(max_size=400))
def test_random_bytes_after_a_valid_header_never_crash(body: bytes) -> None:
    header = b"<roblox!\x89\xff\r\n\x1a\n\x00\x00" + struct.pack("<ii", 1, 1) + bytes(8)
    _check_never_crashes(header + body)
