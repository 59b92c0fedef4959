#!/usr/bin/env python3
"""Decode one Rondone codec record (docs/FORMAT.md) and print its points as JSON.

Usage:
    read_series.py FILE                                  # a raw series record
    read_series.py FILE --split-start NS --granularity NS  # an aggregated split record

Output: {"kind", "timestampLayout", "valueLayout", "timestamps": [ns...],
"values": ["0x<16 hex digits>"...]}; values are IEEE 754 bit patterns so NaN payloads
and -0.0 survive. Python 3 standard library only: this is the format's second,
independent reader, kept deliberately plain.
"""

import argparse
import json
import struct
import sys

SPLIT_FORMAT, RAW_FORMAT = 0x01, 0x02
POINTS_PER_SPLIT = 3600
SLOT_LAYOUTS = {1: "run", 2: "bitmap", 3: "gaps"}
VALUE_LAYOUTS = {0: "raw", 1: "scaled", 2: "xor"}
MASK64 = (1 << 64) - 1


class InvalidData(Exception):
    pass


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def to_signed(u):
    u &= MASK64
    return u - (1 << 64) if u >> 63 else u


def unzigzag(u):
    return (u >> 1) ^ -(u & 1)


class Bytes:
    """A cursor over data[pos:end] that refuses to read past end."""

    def __init__(self, data, pos, end):
        self.data, self.pos, self.end = data, pos, end

    def byte(self):
        if self.pos >= self.end:
            raise InvalidData("truncated")
        self.pos += 1
        return self.data[self.pos - 1]

    def varint(self):
        result, shift = 0, 0
        while True:
            b = self.byte()
            if shift == 63 and b > 1:
                raise InvalidData("varint overflows 64 bits")
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7

    def take(self, n):
        if n > self.end - self.pos:
            raise InvalidData("truncated")
        self.pos += n
        return self.data[self.pos - n:self.pos]


class Bits:
    """LSB-first bit fields: the section is one little-endian integer."""

    def __init__(self, chunk):
        self.value, self.pos, self.size = int.from_bytes(chunk, "little"), 0, len(chunk) * 8

    def read(self, n):
        if self.pos + n > self.size:
            raise InvalidData("truncated")
        v = (self.value >> self.pos) & ((1 << n) - 1)
        self.pos += n
        return v


def packed_integers(cur, n):
    order = cur.byte()
    if order > 2:
        raise InvalidData("difference order above 2")
    terms = [unzigzag(cur.varint()) for _ in range(min(order, n))]
    # Blocks cover indexes 128j .. 128j+127 of the terms, less the head.
    for block_start in range(0, n, 128):
        length = min(block_start + 128, n) - max(block_start, len(terms))
        if length <= 0:
            continue
        # Header byte: bit 7 = offset block (a zig-zag varint base follows and each
        # field is term - base mod 2^64), bits 0-6 = field width; else zig-zag fields.
        header = cur.byte()
        width = header & 0x7F
        if width > 64:
            raise InvalidData("bit width above 64")
        base = unzigzag(cur.varint()) if header & 0x80 else None
        bits = Bits(cur.take((length * width + 7) // 8))
        if base is None:
            terms.extend(unzigzag(bits.read(width)) for _ in range(length))
        else:
            terms.extend(to_signed(base + bits.read(width)) for _ in range(length))
    # Undo the differences modulo 2^64, as the encoder took them.
    if order == 1:
        for i in range(1, n):
            terms[i] = to_signed(terms[i - 1] + terms[i])
    elif order == 2 and n >= 2:
        delta = terms[1]
        terms[1] = to_signed(terms[0] + delta)
        for i in range(2, n):
            delta = to_signed(delta + terms[i])
            terms[i] = to_signed(terms[i - 1] + delta)
    return [to_signed(t) for t in terms]


def slots(layout, cur, n):
    first = cur.varint()
    if first >= POINTS_PER_SPLIT:
        raise InvalidData("first slot out of range")
    if layout == "run":
        if first + n > POINTS_PER_SPLIT:
            raise InvalidData("run past the end of the split")
        return list(range(first, first + n))
    if layout == "bitmap":
        span = cur.varint()
        if span > POINTS_PER_SPLIT - first:
            raise InvalidData("bitmap span out of range")
        bitmap = int.from_bytes(cur.take((span + 7) // 8), "little")
        if bitmap >> span:
            raise InvalidData("bits set past the bitmap span")
        result = [first + i for i in range(span) if bitmap >> i & 1]
        if len(result) != n:
            raise InvalidData("bitmap does not hold count points")
        return result
    result = [first]
    for _ in range(n - 1):
        result.append(result[-1] + cur.varint() + 1)
        if result[-1] >= POINTS_PER_SPLIT:
            raise InvalidData("gap past the end of the split")
    return result


def values(layout, cur, n):
    """Returns the values as 64-bit patterns (ints)."""
    if layout == "raw":
        if cur.end - cur.pos != 8 * n:
            raise InvalidData("raw values length")
        return list(struct.unpack("<%dQ" % n, cur.take(8 * n)))
    if layout == "scaled":
        k = cur.byte()
        if k > 15:
            raise InvalidData("decimal scale above 15")
        scale = float(10**k)
        # float(m) / scale: both operands rounded to float64 first, then one IEEE
        # division, exactly as the encoder verified (not Python's exact int / int).
        return [struct.unpack("<Q", struct.pack("<d", float(m) / scale))[0] for m in packed_integers(cur, n)]
    bits = Bits(cur.data[cur.pos:cur.end])
    previous = bits.read(64)
    result = [previous]
    lead = trail = 0
    for _ in range(n - 1):
        if bits.read(1):
            if bits.read(1):
                lead = bits.read(6)
                meaningful = bits.read(6) + 1
                if lead + meaningful > 64:
                    raise InvalidData("XOR window wider than 64 bits")
                trail = 64 - lead - meaningful
            previous ^= bits.read(64 - lead - trail) << trail
        result.append(previous)
    cur.pos += (bits.pos + 7) // 8
    return result


def decode(data, split_start=None, granularity=None):
    if not data:
        raise InvalidData("truncated")
    kind = {SPLIT_FORMAT: "split", RAW_FORMAT: "raw"}.get(data[0])
    if kind is None:
        raise InvalidData("unknown format byte %d" % data[0])
    if len(data) < 7:
        raise InvalidData("truncated")
    if crc32c(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
        raise InvalidData("checksum mismatch")
    cur = Bytes(data, 1, len(data) - 4)
    layout = cur.byte()
    n = cur.varint()
    out = {"kind": kind, "timestampLayout": None, "valueLayout": None, "timestamps": [], "values": []}
    if n == 0:
        if layout != 0 or cur.pos != cur.end:
            raise InvalidData("empty record with data")
        return out
    if kind == "split":
        if n > POINTS_PER_SPLIT:
            raise InvalidData("point count out of range")
        ts_layout = SLOT_LAYOUTS.get(layout >> 4)
        if ts_layout is None:
            raise InvalidData("unknown layout byte %d" % layout)
        timestamps = [split_start + s * granularity for s in slots(ts_layout, cur, n)]
    else:
        if layout >> 4 != 1:
            raise InvalidData("unknown layout byte %d" % layout)
        ts_layout = "packed"
        timestamps = packed_integers(cur, n)
        if any(a >= b for a, b in zip(timestamps, timestamps[1:])):
            raise InvalidData("time stamps not strictly increasing")
    value_layout = VALUE_LAYOUTS.get(layout & 0xF)
    if value_layout is None:
        raise InvalidData("unknown layout byte %d" % layout)
    bit_patterns = values(value_layout, cur, n)
    if cur.pos != cur.end:
        raise InvalidData("bytes after the values")
    out.update(timestampLayout=ts_layout, valueLayout=value_layout, timestamps=timestamps,
               values=["0x%016x" % v for v in bit_patterns])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--split-start", type=int, help="the split's first time stamp (ns)")
    parser.add_argument("--granularity", type=int, help="the split's granularity (ns)")
    args = parser.parse_args()
    with open(args.file, "rb") as f:
        data = f.read()
    if data[:1] == bytes([SPLIT_FORMAT]) and (args.split_start is None or not args.granularity):
        parser.error("a split record needs --split-start and --granularity")
    try:
        result = decode(data, args.split_start, args.granularity)
    except InvalidData as e:
        print("Unable to unpack, invalid data (%s)" % e, file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
