#!/usr/bin/env python3
"""Writes the binary seeds of Fuzz/Corpus/ (docs/FUZZING.md): split codec records and
raw buffers (the test vectors), split packs of them, aggregate and incoming log segments
holding them, and Prometheus remote write bodies (the recorded payloads, a small body
built here, and snappy framings). Byte layouts: docs/FORMAT.md, docs/STORAGE.md.
Run from anywhere; rewrites only the files it names."""
import os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VECTORS = os.path.join(ROOT, "Tests/RondoneTimeSeriesTests/Vectors")

def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def write(target, name, data):
    directory = os.path.join(HERE, "Corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes(data))

def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)

def vector(name):
    with open(os.path.join(VECTORS, name + ".bin"), "rb") as f:
        return f.read()

SPLITS = ["split-empty", "split-run-integers", "split-run-raw", "split-gaps-xor", "split-bitmap-decimals",
          "split-specials", "split-all-nan"]
RAWS = ["raw-counter-integers", "raw-negative-xor", "raw-regular-decimals"]
STANDARD = ["mean", "sum", "last", "max", "min", "std", "median", "first", "count"]

# Split codec: every vector as it is.
for name in SPLITS + RAWS:
    write("fuzz-split-codec", name, vector(name))

# Split packs, version 2 (one-byte codes, a spelled-out name) and version 1.
def pack2(records):
    header = bytearray(varint(len(records)))
    for name, blob in sorted(records.items()):
        if name in STANDARD:
            header.append(STANDARD.index(name) + 1)
        else:
            header += bytes([0, len(name)]) + name.encode()
        header += varint(len(blob))
    out = b"RSP2" + struct.pack("<I", crc32c(bytes(header))) + bytes(header)
    return out + b"".join(blob for _, blob in sorted(records.items()))

def pack1(records):
    entries = bytearray(struct.pack("<H", len(records)))
    for name, blob in sorted(records.items()):
        entries += bytes([len(name)]) + name.encode() + struct.pack("<I", len(blob))
    length = 12 + len(entries)
    start = b"RSP1" + struct.pack("<I", length)
    crc = crc32c(bytes(entries), crc32c(start))
    return start + struct.pack("<I", crc) + bytes(entries) + b"".join(b for _, b in sorted(records.items()))

packs = {
    "pack2-mean-max": pack2({"mean": vector("split-gaps-xor"), "max": vector("split-run-integers")}),
    "pack2-custom-name": pack2({"rate:mean": vector("split-specials"), "p95": vector("split-all-nan")}),
    "pack2-empty": pack2({}),
    "pack1-mean": pack1({"mean": vector("split-bitmap-decimals"), "count": vector("split-run-raw")}),
}
for name, data in packs.items():
    write("fuzz-split-pack", name, data)

METRIC = bytes.fromhex("0123456789abcdeffedcba9876543210")

# Aggregate log: records framed as FileAggregateStore writes them, committed in groups.
def aggregate_record(kind, metric=bytes(16), first=0, second=0, blob=b""):
    padded = blob + bytes((8 - len(blob) % 8) % 8)
    body = bytes([kind]) + b"RAL" + struct.pack("<I", len(blob)) + metric + struct.pack("<qq", first, second)
    payload = body + padded
    length = struct.pack("<I", len(payload))
    return length + struct.pack("<I", crc32c(payload, crc32c(length))) + payload

def aggregate_group(records):
    out = b"".join(records)
    return out + aggregate_record(6, first=len(out), second=len(records))

segment = aggregate_group([
    aggregate_record(1, METRIC, blob=vector("raw-negative-xor")),
    aggregate_record(2, METRIC, 60_000_000_000, 1_699_999_200_000_000_000, packs["pack2-mean-max"]),
])
write("fuzz-aggregate-log-record", "buffer-and-pack", segment)
second = aggregate_group([aggregate_record(4, METRIC, 60_000_000_000, 1_699_999_200_000_000_000),
                          aggregate_record(3, METRIC), aggregate_record(5, METRIC)])
write("fuzz-aggregate-log-record", "deletions", segment + second)
write("fuzz-aggregate-log-record", "torn-tail", segment + second[:-13])

# Incoming log: measures and consumed records.
def incoming_record(kind, count, tail):
    body = bytes([kind]) + b"RNL" + struct.pack("<I", count) + METRIC + tail
    length = struct.pack("<I", len(body))
    return length + struct.pack("<I", crc32c(body, crc32c(length))) + body

stamps = [1_700_000_000_000_000_000 + i * 1_000_000_000 for i in range(3)]
measures = incoming_record(1, 3, struct.pack("<3q", *stamps) + struct.pack("<3d", 1.5, -2.0, float("nan")))
consumed = incoming_record(2, 0, struct.pack("<Qq", 1, len(measures)))
write("fuzz-incoming-record", "measures", measures)
write("fuzz-incoming-record", "measures-consumed", measures + consumed)
write("fuzz-incoming-record", "damaged-middle", measures + bytes(16) + measures)

# Prometheus remote write: the recorded payloads (snappy), one small body built here.
with open(os.path.join(ROOT, "Sources/RondoneTesting/PrometheusFixtures.swift")) as f:
    fixtures = f.read()
for index, match in enumerate(re.finditer(r'bytes\(\s*"""(.*?)"""', fixtures, re.S)):
    write("fuzz-remote-write", "prometheus-%d.snappy" % index, bytes.fromhex("".join(match.group(1).split())))

def field(number, wire, body):
    return varint(number << 3 | wire) + body

def message(number, body):
    return field(number, 2, varint(len(body)) + body)

def label(name, value):
    return message(1, message(1, name.encode()) + message(2, value.encode()))

series = (label("__name__", "up") + label("job", "node") + label("instance", "localhost:9100")
          + message(2, field(1, 1, struct.pack("<d", 1.0)) + field(2, 0, varint(1_700_000_000_000))))
request = message(1, series)
write("fuzz-remote-write", "small.pb", request)

def snappy_literal(data):
    n = len(data) - 1
    tag = bytes([n << 2]) if n < 60 else bytes([60 << 2, n]) if n < 256 else bytes([61 << 2]) + struct.pack("<H", n)
    return varint(len(data)) + tag + data

write("fuzz-remote-write", "small.snappy", snappy_literal(request))
# "abcd" then a 1-byte-offset copy (offset 4, length 8) and a 2-byte-offset copy (offset 12, length 4).
write("fuzz-remote-write", "copies.snappy", varint(16) + bytes([3 << 2]) + b"abcd" + bytes([0x11, 4]) + bytes([(4 - 1) << 2 | 2]) + struct.pack("<H", 12))
