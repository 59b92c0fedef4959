#!/usr/bin/env python3
"""Read a Rondone incoming store (docs/STORAGE.md, "Incoming record format") and print
the measures still waiting for processing.

Usage:
    read_incoming.py DIR            # DIR holds `sacks` and the incoming<N>-<sack>/ directories
    read_incoming.py DIR --records  # every intact record of every segment, in log order

Output (default): one JSON object, by metric UUID: {"batches": records waiting,
"timestamps": [ns...], "values": ["0x<16 hex digits>"...]}, the waiting records'
measures concatenated in log order (as a claim hands them to processing); values are
IEEE 754 bit patterns so NaN payloads and -0.0 survive.

Rules applied, as the store applies them on open: every record's length, magic,
kind/count consistency and CRC-32C are checked; a damaged stretch is skipped to the next
8-byte boundary holding an intact record; a consumed record (metric, segment, offset)
voids that metric's measures records before that log position. Python 3 standard library
only: an independent second reader of the layout, kept deliberately plain.
"""

import argparse
import json
import os
import struct
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_aggregate_log import crc32c  # noqa: E402

HEADER = 32
MEASURES, CONSUMED = 1, 2


def parse(data, offset):
    """The intact record at offset as a dict, or None."""
    if len(data) - offset < HEADER:
        return None
    payload, crc = struct.unpack_from("<II", data, offset)
    length = 8 + payload
    if payload % 8 or payload < HEADER - 8 or offset + length > len(data):
        return None
    if data[offset + 9:offset + 12] != b"RNL":
        return None
    kind = data[offset + 8]
    count = struct.unpack_from("<I", data, offset + 12)[0]
    if kind == MEASURES:
        if payload != HEADER - 8 + 16 * count:
            return None
    elif kind == CONSUMED:
        if count != 0 or payload != HEADER - 8 + 16:
            return None
    else:
        return None
    if crc32c(data[offset + 8:offset + length], crc32c(data[offset:offset + 4])) != crc:
        return None
    record = {"kind": kind, "metric": str(uuid.UUID(bytes=bytes(data[offset + 16:offset + 32]))),
              "length": length}
    if kind == MEASURES:
        body = offset + HEADER
        record["timestamps"] = list(struct.unpack_from("<%dq" % count, data, body))
        record["values"] = list(struct.unpack_from("<%dQ" % count, data, body + 8 * count))
    else:
        record["segment"], record["offset"] = struct.unpack_from("<Qq", data, offset + HEADER)
    return record


def sack_directories(directory):
    """(sack number, path) of every sack, from the count in `sacks`."""
    with open(os.path.join(directory, "sacks")) as handle:
        count = int(handle.read().split("\n")[0])
    return [(sack, os.path.join(directory, "incoming%d-%d" % (count, sack))) for sack in range(count)]


def segments(sack_directory):
    """(sequence number, path) of the sack's segments, in log order."""
    if not os.path.isdir(sack_directory):
        return []
    found = []
    for name in os.listdir(sack_directory):
        if len(name) == 20 and name.endswith(".log"):
            try:
                found.append((int(name[:16], 16), os.path.join(sack_directory, name)))
            except ValueError:
                pass
    return sorted(found)


def records(path):
    """(offset, record) of every intact record of one segment; damaged stretches skipped."""
    with open(path, "rb") as handle:
        data = handle.read()
    offset = 0
    while offset + HEADER <= len(data):
        record = parse(data, offset)
        if record is None:
            offset += 8
            continue
        yield offset, record
        offset += record["length"]


def load(directory):
    """The waiting measures records by metric: lists of ((segment, offset), record)."""
    waiting = {}
    for _, sack_directory in sack_directories(directory):
        for sequence, path in segments(sack_directory):
            for offset, record in records(path):
                metric = record["metric"]
                if record["kind"] == MEASURES:
                    waiting.setdefault(metric, []).append(((sequence, offset), record))
                elif metric in waiting:
                    before = (record["segment"], record["offset"])
                    kept = [item for item in waiting[metric] if item[0] >= before]
                    if kept:
                        waiting[metric] = kept
                    else:
                        del waiting[metric]
    return waiting


def waiting_measures(directory):
    """By metric: {"batches", "timestamps", "values" (bit patterns as "0x…")}."""
    result = {}
    for metric, items in load(directory).items():
        timestamps, values = [], []
        for _, record in items:
            timestamps += record["timestamps"]
            values += ["0x%016x" % v for v in record["values"]]
        result[metric] = {"batches": len(items), "timestamps": timestamps, "values": values}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--records", action="store_true", help="list every intact record instead")
    args = parser.parse_args()
    if args.records:
        for sack, sack_directory in sack_directories(args.directory):
            for sequence, path in segments(sack_directory):
                for offset, record in records(path):
                    line = {"sack": sack, "segment": sequence, "offset": offset, "metric": record["metric"]}
                    if record["kind"] == MEASURES:
                        line.update(kind="measures", count=len(record["timestamps"]))
                    else:
                        line.update(kind="consumed", before=[record["segment"], record["offset"]])
                    print(json.dumps(line, sort_keys=True))
        return
    json.dump(waiting_measures(args.directory), sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
