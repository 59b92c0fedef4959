"""Prometheus remote write without dependencies: a protobuf `WriteRequest` in a snappy block.

The block is made of literals only (no back references), which every snappy decoder
reads, so no compression library is needed; the bodies here are small.
"""
import struct
import urllib.request


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if not n:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def time_series(labels, samples):
    """labels: {name: value}; samples: [(milliseconds, value)]. Labels sorted by name."""
    body = b"".join(field(1, field(1, k.encode()) + field(2, v.encode())) for k, v in sorted(labels.items()))
    for ms, value in samples:
        body += field(2, b"\x09" + struct.pack("<d", value) + b"\x10" + varint(ms))
    return body


def snappy_literal_block(data):
    out = bytearray(varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + n.to_bytes(2, "little")
        out += chunk
    return bytes(out)


def write_request(series):
    """series: [(labels, samples)] → the HTTP body of one remote write request."""
    return snappy_literal_block(b"".join(field(1, time_series(l, s)) for l, s in series))


def post(url, body, auth=None):
    """POSTs one body; returns the HTTP status (raises on a connection error)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
    })
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return "%d %s" % (error.code, error.read()[:300].decode(errors="replace"))
