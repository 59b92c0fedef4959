#!/usr/bin/env python3
"""Damages files of a Rondone data directory for scripts/ops-test.sh (docs/STORAGE.md).

  damage.py flip PATH OFFSET                 flips one bit of the byte at OFFSET
  damage.py record PATH KIND METRIC WHERE [reseal]
        finds the last aggregate log record of KIND (1 buffer, 2 split pack) of METRIC in
        the segment PATH and flips a bit of its blob at WHERE ("first", "last", or a
        number of bytes into the blob); with "reseal" the record's CRC-32C is recomputed,
        so only the blob's own checks can find it. Prints the record's offset.
"""
import struct
import sys
import uuid


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0x20]))


def record(path, kind, metric, where, reseal):
    data = bytearray(open(path, "rb").read())
    target = uuid.UUID(metric).bytes
    found = None
    offset = 0
    while offset + 48 <= len(data):
        payload, = struct.unpack_from("<I", data, offset)
        if data[offset + 8] == kind and data[offset + 16:offset + 32] == target:
            found = (offset, payload)
        offset += 8 + payload
    if found is None:
        sys.exit("no such record in %s" % path)
    offset, payload = found
    blob_length, = struct.unpack_from("<I", data, offset + 12)
    at = {"first": 0, "last": blob_length - 1}.get(where)
    at = int(where) if at is None else at
    data[offset + 48 + at] ^= 0x20
    if reseal:
        crc = crc32c(data[offset + 8:offset + 8 + payload], crc32c(data[offset:offset + 4]))
        struct.pack_into("<I", data, offset + 4, crc)
    open(path, "wb").write(data)
    print(offset)


if __name__ == "__main__":
    if sys.argv[1] == "flip":
        flip(sys.argv[2], int(sys.argv[3]))
    else:
        record(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], len(sys.argv) > 6)
