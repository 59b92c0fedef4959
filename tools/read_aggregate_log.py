#!/usr/bin/env python3
"""Read a Rondone aggregate log (docs/STORAGE.md, "Aggregate store") and print what it holds.

Usage:
    read_aggregate_log.py DIR                   # every live buffer and split, as JSON
    read_aggregate_log.py DIR --points          # the same with every blob decoded (read_series.py)
    read_aggregate_log.py DIR --blob METRIC buffer > raw.bin
    read_aggregate_log.py DIR --blob METRIC GRANULARITY_NS KEY_NS METHOD > split.bin

DIR is the aggregate store's directory (the one holding log/). Blobs written with
--blob are codec records that read_series.py decodes. Python 3 standard library only:
an independent second reader of the layout, kept deliberately plain.
"""

import argparse
import json
import os
import struct
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_series  # noqa: E402

HEADER = 48
KINDS = {1: "buffer", 2: "pack", 3: "buffer deleted", 4: "pack deleted", 5: "metric deleted", 6: "commit"}


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def parse(data, offset):
    """The intact record at offset as a dict, or None."""
    if len(data) - offset < HEADER:
        return None
    payload, crc = struct.unpack_from("<II", data, offset)
    length = 8 + payload
    if payload % 8 or payload < HEADER - 8 or offset + length > len(data):
        return None
    kind = data[offset + 8]
    if data[offset + 9:offset + 12] != b"RAL" or kind not in KINDS:
        return None
    blob_length = struct.unpack_from("<I", data, offset + 12)[0]
    if HEADER + ((blob_length + 7) & ~7) != length:
        return None
    if crc32c(data[offset + 8:offset + length], crc32c(data[offset:offset + 4])) != crc:
        return None
    first, second = struct.unpack_from("<qq", data, offset + 32)
    return {
        "kind": kind, "metric": str(uuid.UUID(bytes=bytes(data[offset + 16:offset + 32]))),
        "first": first, "second": second, "length": length,
        "blob": bytes(data[offset + HEADER:offset + HEADER + blob_length]),
    }


STANDARD_METHODS = [
    "mean", "sum", "last", "max", "min", "std", "median", "first", "count",
    "rate:mean", "rate:sum", "rate:last", "rate:max", "rate:min", "rate:std", "rate:median", "rate:first",
    "rate:count",
]


def varint(data, offset):
    """The unsigned LEB128 at offset and the offset after it."""
    value, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, offset
        shift += 7


def unpack(blob):
    """A split pack's blobs by method name (version 1 or 2), or None if its header is damaged."""
    try:
        if blob[:4] == b"RSP2":
            count, offset = varint(blob, 8)
            entries = []
            for _ in range(count):
                code = blob[offset]
                offset += 1
                if code == 0:
                    name = blob[offset + 1:offset + 1 + blob[offset]].decode()
                    offset += 1 + blob[offset]
                else:
                    name = STANDARD_METHODS[code - 1]
                length, offset = varint(blob, offset)
                entries.append((name, length))
            if crc32c(blob[8:offset]) != struct.unpack_from("<I", blob, 4)[0]:
                return None
            header_length = offset
        elif blob[:4] == b"RSP1" and len(blob) >= 14:
            header_length, crc = struct.unpack_from("<II", blob, 4)
            if header_length > len(blob) or crc32c(blob[12:header_length], crc32c(blob[:8])) != crc:
                return None
            count = struct.unpack_from("<H", blob, 12)[0]
            offset, entries = 14, []
            for _ in range(count):
                name_length = blob[offset]
                name = blob[offset + 1:offset + 1 + name_length].decode()
                entries.append((name, struct.unpack_from("<I", blob, offset + 1 + name_length)[0]))
                offset += 1 + name_length + 4
        else:
            return None
    except (IndexError, UnicodeDecodeError):
        return None
    records, start = {}, header_length
    for name, length in entries:
        records[name] = blob[start:start + length]
        start += length
    return records if start == len(blob) else None


def load(directory, stats=None):
    """Applies every committed group of every segment, in order: the live state.

    stats, a dict, gets the counts of intact "records" (commit records included),
    applied "commits", records by "kind" name and "damaged" stretches skipped.
    """
    if stats is None:
        stats = {}
    stats.update(records=0, commits=0, damaged=0, kinds={})
    buffers, packs = {}, {}
    log = os.path.join(directory, "log")
    for name in sorted(n for n in os.listdir(log) if n.endswith(".agl") and len(n) == 20):
        with open(os.path.join(log, name), "rb") as handle:
            data = handle.read()
        offset, pending, start = 0, [], 0
        while offset < len(data):
            record = parse(data, offset)
            if record is None:  # damaged: skip to the next intact record, drop the group
                offset += 8
                while offset < len(data) and parse(data, offset) is None:
                    offset += 8
                pending = []
                stats["damaged"] += 1
                continue
            stats["records"] += 1
            stats["kinds"][KINDS[record["kind"]]] = stats["kinds"].get(KINDS[record["kind"]], 0) + 1
            if record["kind"] != 6:
                if not pending:
                    start = offset
                pending.append(record)
            elif pending and offset - record["first"] == start and record["second"] == len(pending):
                for item in pending:
                    apply(item, buffers, packs)
                stats["commits"] += 1
                pending = []
            else:
                pending = []
            offset += record["length"]
    return buffers, packs


def apply(record, buffers, packs):
    metric, kind = record["metric"], record["kind"]
    key = (metric, record["first"], record["second"])
    if kind == 1:
        buffers[metric] = record["blob"]
    elif kind == 2:
        packs[key] = record["blob"]
    elif kind == 3:
        buffers.pop(metric, None)
    elif kind == 4:
        packs.pop(key, None)
    elif kind == 5:
        buffers.pop(metric, None)
        for doomed in [k for k in packs if k[0] == metric]:
            del packs[doomed]


def decoded(blob, split_start=None, granularity=None):
    """A codec record's points ({"timestamps", "values"}), or {"damaged": True}."""
    try:
        series = read_series.decode(blob, split_start, granularity)
    except (read_series.InvalidData, IndexError, struct.error, TypeError):
        return {"damaged": True}
    if series["kind"] != ("raw" if split_start is None else "split"):
        return {"damaged": True}
    return {"timestamps": series["timestamps"], "values": series["values"]}


def contents(directory, stats=None):
    """By metric: {"buffer": points or None, "splits": [...]}, every live blob decoded.

    Each split is {"granularity", "key", "method"} (nanoseconds, method name) with its
    points; a pack whose header is damaged is one {"granularity", "key", "damaged": True}.
    """
    buffers, packs = load(directory, stats)
    if stats is not None:
        stats["live"] = len(buffers) + len(packs)
    out = {}
    for metric, blob in buffers.items():
        out.setdefault(metric, {"buffer": None, "splits": []})["buffer"] = decoded(blob)
    for (metric, granularity, key), blob in sorted(packs.items()):
        entry = out.setdefault(metric, {"buffer": None, "splits": []})
        records = unpack(blob)
        if records is None:
            entry["splits"].append({"granularity": granularity, "key": key, "damaged": True})
            continue
        for method, record in sorted(records.items()):
            split = {"granularity": granularity, "key": key, "method": method}
            split.update(decoded(record, key, granularity))
            entry["splits"].append(split)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--blob", nargs="+", metavar="ARG")
    parser.add_argument("--points", action="store_true", help="decode every blob")
    args = parser.parse_args()
    if args.points:
        json.dump(contents(args.directory), sys.stdout, indent=1, sort_keys=True)
        print()
        return
    buffers, packs = load(args.directory)
    if args.blob:
        if len(args.blob) == 2 and args.blob[1] == "buffer":
            blob = buffers.get(args.blob[0])
        elif len(args.blob) == 4:
            metric, granularity, key, method = args.blob
            records = unpack(packs.get((metric, int(granularity), int(key)), b"")) or {}
            blob = records.get(method)
        else:
            parser.error("--blob METRIC buffer, or --blob METRIC GRANULARITY_NS KEY_NS METHOD")
        if blob is None:
            sys.exit("no such blob")
        sys.stdout.buffer.write(blob)
        return
    out = {}
    for metric, blob in buffers.items():
        out.setdefault(metric, {"buffer": None, "splits": []})["buffer"] = len(blob)
    for (metric, granularity, key), blob in sorted(packs.items()):
        records = unpack(blob)
        entry = out.setdefault(metric, {"buffer": None, "splits": []})
        entry["splits"].append({
            "granularity": granularity, "key": key,
            "methods": {n: len(b) for n, b in sorted(records.items())} if records is not None else "damaged",
        })
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
