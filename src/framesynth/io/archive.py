"""Zip archives (.docx, .odt, .xlsx, .qdpx) checked before any member is read.

Opening an :class:`Archive` checks every member's declared size against a cap, the sum of
them against a total cap and each large member's compression ratio, so a 1 MB file that
inflates to gigabytes is refused before a byte of it is inflated. Reads are bounded too
(declared sizes can lie): at most the cap plus one byte is inflated. Each refusal is one
:class:`UnsafeArchive` line naming the file and the member.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from framesynth.errors import CorruptFile, UnsafeArchive
from framesynth.io.safe_xml import check_prolog

MB = 1024 * 1024
CHUNK = MB
XML_SUFFIXES = (".xml", ".rels", ".qde")
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
               OSError)


@dataclass(frozen=True)
class ArchiveLimits:
    """How large an archive may inflate: per member, in total, and how compressed."""

    member_bytes: int = 512 * MB
    total_bytes: int = 1024 * MB
    max_ratio: float = 200.0
    ratio_from_bytes: int = 1 * MB  # smaller members may be as compressed as they like
    max_members: int = 50_000


DEFAULT_LIMITS = ArchiveLimits()


class Archive:
    """A zip whose members passed :class:`ArchiveLimits`; ``read`` inflates boundedly.

    Raises ``zipfile.BadZipFile`` when the data is no zip, so that each format says so in
    its own words."""

    def __init__(self, source: str | Path | bytes | BinaryIO, *, path: str | Path,
                 limits: ArchiveLimits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        opened = io.BytesIO(source) if isinstance(source, bytes) else source
        self.zip = zipfile.ZipFile(opened)
        self._read_so_far = 0
        try:
            check_members(self.zip.infolist(), path=self.path, limits=limits)
        except BaseException:
            self.zip.close()
            raise

    def names(self) -> list[str]:
        return self.zip.namelist()

    def read(self, name: str) -> bytes:
        """The member's bytes; refused once they pass the member or total cap."""
        cap = max(0, min(self.limits.member_bytes, self.limits.total_bytes - self._read_so_far))
        parts = list(self._chunks(name, cap))
        data = b"".join(parts)
        self._read_so_far += len(data)
        return data

    def check_xml(self, name: str) -> None:
        """Refuse the member if its XML declares entities (reads its prolog only)."""
        check_prolog(self._chunks(name, self.limits.member_bytes, size=64 * 1024),
                     path=self.path, where=f"member {name}")

    def check_xml_members(self) -> None:
        for name in self.names():
            if name.lower().endswith(XML_SUFFIXES):
                self.check_xml(name)

    def _chunks(self, name: str, cap: int, *, size: int = CHUNK) -> Iterator[bytes]:
        total = 0
        try:
            with self.zip.open(name) as handle:
                while chunk := handle.read(min(size, cap + 1 - total)):
                    total += len(chunk)
                    if total > cap:
                        raise UnsafeArchive(f"inflates to more than {_size(cap)}, more than "
                                            "it declares or than an archive may hold",
                                            path=self.path, where=f"member {name}")
                    yield chunk
        except READ_ERRORS as error:
            raise CorruptFile(f"the member cannot be read ({error})", path=self.path,
                              where=f"member {name}") from None

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def check_members(members: list[zipfile.ZipInfo], *, path: Path,
                  limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """Refuse too many members, a member too large or too compressed, or too much in all."""
    if len(members) > limits.max_members:
        raise UnsafeArchive(f"the archive has {len(members)} members, more than "
                            f"{limits.max_members}", path=path)
    total = 0
    for info in members:
        _check_member(info, path=path, limits=limits)
        total += info.file_size
        if total > limits.total_bytes:
            raise UnsafeArchive(f"the archive inflates to more than {_size(limits.total_bytes)}"
                                " in all", path=path, where=f"member {info.filename}")


def _check_member(info: zipfile.ZipInfo, *, path: Path, limits: ArchiveLimits) -> None:
    where = f"member {info.filename}"
    if info.file_size > limits.member_bytes:
        raise UnsafeArchive(f"declares {_size(info.file_size)} uncompressed, more than the "
                            f"{_size(limits.member_bytes)} a member may hold", path=path,
                            where=where)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.ratio_from_bytes and ratio > limits.max_ratio:
        raise UnsafeArchive(f"is compressed {ratio:,.0f}:1 ({_size(info.compress_size)} to "
                            f"{_size(info.file_size)}), more than {limits.max_ratio:,.0f}:1; "
                            "refused as a zip bomb", path=path, where=where)


def check_archive(source: str | Path | bytes | BinaryIO, *, path: str | Path,
                  limits: ArchiveLimits = DEFAULT_LIMITS, xml: bool = True) -> None:
    """Check a zip before a library (python-docx, odfpy, openpyxl) opens it itself: the
    limits, and with ``xml`` no entity declarations in its XML members."""
    with Archive(source, path=path, limits=limits) as archive:
        if xml:
            archive.check_xml_members()


def _size(count: int) -> str:
    if count >= MB:
        return f"{count / MB:,.0f} MB"
    return f"{count:,} bytes"
