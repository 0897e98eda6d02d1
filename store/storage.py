"""Crash-safe files for TinyDB: atomic writes, cheap re-reads, one lock per store.

TinyDB's own JSONStorage rewrites a file in place, so a kill mid-write leaves half
a file.  ``AtomicJSONStorage`` writes a temp file, fsyncs it, renames it over the
old one and fsyncs the folder: a reader (or a crash) only ever sees the old file
or the new one.  It also remembers what it parsed, keyed on the file's identity
(inode, mtime, size), so TinyDB's read-per-operation costs a ``stat`` unless
another process has replaced the file, in which case the new content is read.
"""

from __future__ import annotations

import errno
import hashlib
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store.errors import StoreWriteError

Tables = dict[str, dict[str, Any]]
Signature = tuple[int, int, int]
# Called with the file, its bytes and what is wrong; returns what could be salvaged.
DamageHandler = Callable[[Path, bytes, str], Tables]


def file_signature(path: Path) -> Signature | None:
    """What changes whenever the file is replaced: inode, mtime and size."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def content_digest(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(payload)
            while view:
                written = os.write(descriptor, view)
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
        fsync_folder(path.parent)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
        raise StoreWriteError(f"could not write {path}: {reason}; the previous version is intact") from error


def decode_tables(raw: bytes) -> Tables:
    """Parse a TinyDB file; raise ValueError saying what is wrong with it."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(table, dict) for table in data.values()):
        raise ValueError("not a table of records")
    return data


GZIP_WBITS = 31  # zlib's gzip framing: the files open with zcat and gunzip
GZIP_LEVEL = 3  # a fast level: text compresses about 3x at several hundred MB/s


def decompress(raw: bytes) -> bytes:
    """What a (possibly cut short) gzip file holds, as far as it can be read."""
    inflater = zlib.decompressobj(GZIP_WBITS)
    try:
        return inflater.decompress(raw)
    except zlib.error:
        return b""


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and re-reads only what changed.

    With ``compressed`` the file is gzip: story texts are most of a store's bytes
    and compress about three to one.
    """

    def __init__(self, path: str, on_damage: DamageHandler, compressed: bool = False) -> None:
        self.path = Path(path)
        self._on_damage = on_damage
        self._compressed = compressed
        self._cached: Tables | None = None
        self._signature: Signature | None = None
        self._digest: str | None = None

    def digest(self) -> str:
        """A digest of the file's bytes ("-" when there is no file), hashed only when it changed."""
        signature = file_signature(self.path)
        if signature is None:
            return "-"
        if signature != self._signature or self._digest is None:
            try:
                return content_digest(self.path.read_bytes())
            except FileNotFoundError:
                return "-"
        return self._digest

    def read(self) -> Tables | None:
        signature = file_signature(self.path)
        if signature is None:
            self._cached, self._signature = None, None
            return None
        if signature == self._signature and self._cached is not None:
            return self._cached
        raw = self.path.read_bytes()
        digest: str | None = content_digest(raw)
        try:
            tables = decode_tables(self._unpack(raw))
        except ValueError as error:
            readable = decompress(raw) if self._compressed else raw
            tables = self._on_damage(self.path, readable, str(error))
            signature, digest = file_signature(self.path), None
        self._cached, self._signature, self._digest = tables, signature, digest
        return tables

    def write(self, data: Tables) -> None:
        # TinyDB hands back the dict read() returned, changed in place: if the write
        # fails, forget it so the next read sees what is really on disk.
        self._cached, self._signature = None, None
        payload = orjson.dumps(data)
        if self._compressed:
            packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WBITS)
            payload = packer.compress(payload) + packer.flush()
        atomic_write(self.path, payload)
        self._cached, self._signature, self._digest = data, file_signature(self.path), content_digest(payload)

    def _unpack(self, raw: bytes) -> bytes:
        if not self._compressed:
            return raw
        try:
            return zlib.decompress(raw, GZIP_WBITS)
        except zlib.error as error:
            raise ValueError(f"not a whole gzip file ({error})") from None

    def forget(self) -> None:
        self._cached, self._signature = None, None

    def close(self) -> None:
        self.forget()


class RecordTable(Table):
    """A TinyDB table keyed by story id, with a batch upsert that writes once."""

    document_id_class = str

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        document = self.get(doc_id=record_id)
        return dict(document) if document is not None else None

    def records(self) -> dict[str, dict[str, Any]]:
        """Every record by id (a read-only view: do not change it)."""
        return self._read_table()

    def merge_records(self, changes: dict[str, dict[str, Any]]) -> None:
        """Insert or update many records with one read and one write of the file."""

        def apply(table: dict[str, Any]) -> None:
            for record_id, fields in changes.items():
                current = table.get(record_id)
                table[record_id] = {**current, **fields} if current else dict(fields)

        self._update_table(apply)

    def remove_records(self, record_ids: list[str]) -> None:
        def apply(table: dict[str, Any]) -> None:
            for record_id in record_ids:
                table.pop(record_id, None)

        self._update_table(apply)


class RecordFile:
    """One TinyDB file holding one table of records."""

    TABLE = "records"

    def __init__(self, path: Path, on_damage: DamageHandler, *, compressed: bool = False) -> None:
        self.path = path
        self.database = TinyDB(str(path), storage=AtomicJSONStorage, on_damage=on_damage, compressed=compressed)
        self.database.table_class = RecordTable
        # cache_size=0: another process may change the file; never answer from a stale query cache.
        self.table: RecordTable = self.database.table(self.TABLE, cache_size=0)  # type: ignore[assignment]

    def signature(self) -> Signature | None:
        return file_signature(self.path)

    def digest(self) -> str:
        storage: AtomicJSONStorage = self.database.storage  # type: ignore[assignment]
        return storage.digest()

    def close(self) -> None:
        self.database.close()


def store_lock(home: Path) -> FileLock:
    """The lock writers hold, only while writing; readers never wait for it."""
    return FileLock(home / ".lock", preserve_lock_file=True)


__all__ = [
    "AtomicJSONStorage",
    "RecordFile",
    "RecordTable",
    "atomic_write",
    "decode_tables",
    "file_signature",
    "store_lock",
]
