"""Writes a Prometheus remote write body (snappy block of a protobuf WriteRequest).

    prometheus_payload.py OUT --targets 10 --names 200 --samples 1

TARGETS × NAMES series (job `bench`, instance `host-<t>:9100`, `__name__` `metric_<n>`,
one more label `le`), each with SAMPLES samples 15 s apart: the shape of a Prometheus
server's requests (2,000 samples by default). Needs cramjam (the Gnocchi peer venv has it).
"""
import argparse
import struct

import cramjam


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def label(name, value):
    return field(1, field(1, name.encode()) + field(2, value.encode()))


def sample(value, ms):
    return field(2, b"\x09" + struct.pack("<d", value) + b"\x10" + varint(ms))


parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--targets", type=int, default=10)
parser.add_argument("--names", type=int, default=200)
parser.add_argument("--samples", type=int, default=1)
args = parser.parse_args()
start = 1_700_000_000_000
body = bytearray()
for t in range(args.targets):
    for n in range(args.names):
        series = (label("__name__", "metric_%d" % n) + label("instance", "host-%d:9100" % t)
                  + label("job", "bench") + label("le", "0.5"))
        for s in range(args.samples):
            series += sample(t * 1000 + n + s / 10, start + s * 15000)
        body += field(1, series)
with open(args.out, "wb") as f:
    f.write(bytes(cramjam.snappy.compress_raw(bytes(body))))
