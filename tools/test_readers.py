#!/usr/bin/env python3
"""Unit tests of the Python readers on hand-made bytes (run: python3 -m unittest tools/test_readers.py).

The records are built here from docs/STORAGE.md, independently of Rondone, and the
blobs are the codec's test vectors (Tests/RondoneTimeSeriesTests/Vectors).
"""

import json
import os
import struct
import sys
import tempfile
import unittest
import uuid

TOOLS = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(TOOLS, "..", "Tests", "RondoneTimeSeriesTests", "Vectors")
sys.path.insert(0, TOOLS)
import read_aggregate_log  # noqa: E402
import read_data_directory  # noqa: E402
import read_incoming  # noqa: E402
from read_aggregate_log import crc32c  # noqa: E402

A = uuid.UUID("11111111-2222-3333-4444-555555555555")
B = uuid.UUID("99999999-8888-7777-6666-555555555555")


def frame(kind, magic, count_or_length, metric, rest):
    """A record: length, CRC of bytes 0..<4 and 8..<end, kind, magic, u32, UUID, rest."""
    body = bytes([kind]) + magic + struct.pack("<I", count_or_length) + metric.bytes + rest
    body += b"\0" * (-len(body) % 8)
    length = struct.pack("<I", len(body))
    return length + struct.pack("<I", crc32c(body, crc32c(length))) + body


def measures_record(metric, points):
    return frame(1, b"RNL", len(points), metric,
                 b"".join(struct.pack("<q", t) for t, _ in points) + b"".join(struct.pack("<d", v) for _, v in points))


def consumed_record(metric, segment, offset):
    return frame(2, b"RNL", 0, metric, struct.pack("<Qq", segment, offset))


def log_record(kind, metric, first=0, second=0, blob=b""):
    return frame(kind, b"RAL", len(blob), metric, struct.pack("<qq", first, second) + blob)


def commit(group):
    count = 0
    offset = 0
    while offset < len(group):
        count += 1
        offset += 8 + struct.unpack_from("<I", group, offset)[0]
    return group + log_record(6, uuid.UUID(int=0), len(group), count)


def vector(name):
    with open(os.path.join(VECTORS, name + ".bin"), "rb") as handle:
        blob = handle.read()
    with open(os.path.join(VECTORS, name + ".json")) as handle:
        return blob, json.load(handle)


def varint(n):
    out = b""
    while True:
        if n < 0x80:
            return out + bytes([n])
        out += bytes([n & 0x7F | 0x80])
        n >>= 7


def pack_v2(records):
    codes = {name: i + 1 for i, name in enumerate(read_aggregate_log.STANDARD_METHODS)}
    header = varint(len(records))
    for name in sorted(records, key=lambda n: n.encode()):
        header += bytes([codes[name]]) if name in codes else bytes([0, len(name.encode())]) + name.encode()
        header += varint(len(records[name]))
    return b"RSP2" + struct.pack("<I", crc32c(header)) + header + b"".join(
        records[n] for n in sorted(records, key=lambda n: n.encode()))


def pack_v1(records):
    names = sorted(records, key=lambda n: n.encode())
    entries = b"".join(bytes([len(n.encode())]) + n.encode() + struct.pack("<I", len(records[n])) for n in names)
    header_length = 14 + len(entries)
    rest = struct.pack("<H", len(names)) + entries
    crc = crc32c(rest, crc32c(b"RSP1" + struct.pack("<I", header_length)))
    return b"RSP1" + struct.pack("<II", header_length, crc) + rest + b"".join(records[n] for n in names)


class IncomingTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        with open(os.path.join(self.directory, "sacks"), "w") as handle:
            handle.write("2\n")
        for sack in range(2):
            os.mkdir(os.path.join(self.directory, "incoming2-%d" % sack))

    def write(self, sack, sequence, data):
        with open(os.path.join(self.directory, "incoming2-%d" % sack, "%016x.log" % sequence), "wb") as handle:
            handle.write(data)

    def test_consumed_records_void_earlier_records_only(self):
        first = measures_record(A, [(1, 1.5), (2, -0.0)])
        second = measures_record(A, [(3, 2.5)])
        self.write(0, 1, first + second + measures_record(B, []))
        # In a later segment: consumed up to the second record, then one more batch.
        self.write(0, 2, consumed_record(A, 1, len(first)) + measures_record(A, [(4, 4.0)]))
        waiting = read_incoming.waiting_measures(self.directory)
        self.assertEqual(waiting[str(A)], {"batches": 2, "timestamps": [3, 4],
                                           "values": ["0x4004000000000000", "0x4010000000000000"]})
        self.assertEqual(waiting[str(B)], {"batches": 1, "timestamps": [], "values": []})

    def test_damaged_record_is_skipped_and_the_next_found(self):
        damaged = bytearray(measures_record(A, [(1, 1.0)]))
        damaged[20] ^= 1
        self.write(1, 1, bytes(damaged) + measures_record(A, [(2, -0.0)]) + b"\x17" * 12)
        waiting = read_incoming.waiting_measures(self.directory)
        self.assertEqual(waiting, {str(A): {"batches": 1, "timestamps": [2], "values": ["0x8000000000000000"]}})

    def test_everything_consumed_leaves_nothing(self):
        record = measures_record(A, [(1, 1.0)])
        self.write(0, 1, record + consumed_record(A, 1, len(record)))
        self.assertEqual(read_incoming.waiting_measures(self.directory), {})


class AggregateLogTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()
        os.mkdir(os.path.join(self.directory, "log"))
        self.raw, self.raw_points = vector("raw-regular-decimals")
        self.split, self.split_points = vector("split-bitmap-decimals")
        self.granularity, self.key = self.split_points["granularity"], self.split_points["splitStart"]

    def write(self, sequence, data):
        with open(os.path.join(self.directory, "log", "%016x.agl" % sequence), "wb") as handle:
            handle.write(data)

    def points(self, expected):
        return {"timestamps": expected["timestamps"], "values": expected["values"]}

    def test_packs_of_both_versions_and_the_latest_record_wins(self):
        old = pack_v1({"mean": b"\x00" * 7, "95pct": self.split})
        new = pack_v2({"mean": self.split, "rate:95pct": self.split, "count": self.split})
        self.write(1, commit(log_record(1, A, blob=b"stale") + log_record(2, A, self.granularity, self.key, old)))
        self.write(2, commit(log_record(1, A, blob=self.raw)) + commit(
            log_record(2, A, self.granularity, self.key + 36000 * 10**9, old)
            + log_record(2, A, self.granularity, self.key, new)))
        stored = read_aggregate_log.contents(self.directory)[str(A)]
        self.assertEqual(stored["buffer"], self.points(self.raw_points))
        splits = [(s["key"], s["method"], s.get("damaged")) for s in stored["splits"]]
        self.assertEqual(splits, [(self.key, "count", None), (self.key, "mean", None),
                                  (self.key, "rate:95pct", None), (self.key + 36000 * 10**9, "95pct", None),
                                  (self.key + 36000 * 10**9, "mean", True)])
        self.assertEqual({k: v for k, v in stored["splits"][0].items() if k in ("timestamps", "values")},
                         self.points(self.split_points))
        # The same record under another key: the slots are relative to the key.
        self.assertEqual(stored["splits"][3]["timestamps"][0], self.split_points["timestamps"][0] + 36000 * 10**9)

    def test_a_group_applies_only_whole(self):
        whole = commit(log_record(1, A, blob=self.raw))
        torn = log_record(1, A, blob=b"newer") + log_record(1, B, blob=self.raw)
        damaged = bytearray(commit(log_record(1, B, blob=self.raw) + log_record(1, A, blob=b"x")))
        damaged[60] ^= 0x40  # inside the first record's blob: its CRC fails
        self.write(1, whole + bytes(damaged) + torn)
        stats = {}
        stored = read_aggregate_log.contents(self.directory, stats)
        self.assertEqual(list(stored), [str(A)])
        self.assertEqual(stored[str(A)]["buffer"], self.points(self.raw_points))
        self.assertEqual((stats["commits"], stats["damaged"], stats["live"]), (1, 1, 1))

    def test_deletions(self):
        pack = pack_v2({"mean": self.split})
        self.write(1, commit(log_record(1, A, blob=self.raw) + log_record(2, A, self.granularity, self.key, pack)
                             + log_record(2, A, self.granularity, self.key + 1, pack)
                             + log_record(1, B, blob=self.raw) + log_record(2, B, self.granularity, self.key, pack))
                   + commit(log_record(4, A, self.granularity, self.key) + log_record(3, B))
                   + commit(log_record(5, A)) + commit(log_record(2, A, self.granularity, self.key, pack)))
        stored = read_aggregate_log.contents(self.directory)
        self.assertIsNone(stored[str(B)]["buffer"])
        self.assertEqual(len(stored[str(B)]["splits"]), 1)
        self.assertIsNone(stored[str(A)]["buffer"])  # deleted with the metric, not rewritten
        self.assertEqual([s["key"] for s in stored[str(A)]["splits"]], [self.key])

    def test_damaged_pack_header(self):
        pack = bytearray(pack_v2({"mean": self.split}))
        pack[9] ^= 1
        self.write(1, commit(log_record(2, A, self.granularity, self.key, bytes(pack))))
        self.assertEqual(read_aggregate_log.contents(self.directory)[str(A)]["splits"],
                         [{"granularity": self.granularity, "key": self.key, "damaged": True}])


class DataDirectoryTests(unittest.TestCase):
    def test_lines_join_both_stores(self):
        directory = tempfile.mkdtemp()
        os.makedirs(os.path.join(directory, "incoming", "incoming1-0"))
        os.makedirs(os.path.join(directory, "aggregates", "log"))
        with open(os.path.join(directory, "incoming", "sacks"), "w") as handle:
            handle.write("1\n")
        with open(os.path.join(directory, "incoming", "incoming1-0", "0000000000000001.log"), "wb") as handle:
            handle.write(measures_record(B, [(5, 0.5)]))
        raw, raw_points = vector("raw-counter-integers")
        with open(os.path.join(directory, "aggregates", "log", "0000000000000001.agl"), "wb") as handle:
            handle.write(commit(log_record(1, A, blob=raw)))
        lines = read_data_directory.content(directory)
        self.assertEqual([line["metric"] for line in lines], [str(A), str(B)])
        self.assertEqual(read_data_directory.canonical(lines[1]),
                         '{"buffer":null,"incoming":{"batches":1,"timestamps":[5],"values":["0x3fe0000000000000"]},'
                         '"metric":"%s","splits":[]}' % B)
        self.assertEqual(lines[0]["buffer"]["values"], raw_points["values"])
        self.assertEqual(read_data_directory.counts(lines)["buffer points"], len(raw_points["timestamps"]))


if __name__ == "__main__":
    unittest.main()
