import numpy, warnings, json, datetime, random, sys
warnings.filterwarnings("ignore")
from gnocchi import utils
def sw(s):
    if not isinstance(s, str): return json.dumps(s)
    out = '"'
    for ch in s:
        if ch == '"': out += '\\"'
        elif ch == '\\': out += '\\\\'
        elif ch == '\n': out += '\\n'
        elif ch == '\t': out += '\\t'
        elif ord(ch) < 0x20 or ord(ch) > 0x7e: out += '\\u{%x}' % ord(ch)
        else: out += ch
    return out + '"' 
out = []
def ts(vals):
    try:
        r = utils.to_timestamps(vals)
        return ("ok", [int(x.astype('int64')) for x in r])
    except ValueError as e:
        return ("err", str(e))
    except Exception as e:
        return ("exc", str(e))
import os; exec(open(os.path.join(os.path.dirname(__file__), 'cases.py')).read())
lines = []
lines.append("// Generated from Gnocchi 4.7.1 (gnocchi.utils, numpy 2.4, pytimeparse 1.1.10); regenerate with scripts/time-vectors/gen.py <out.swift> using the Gnocchi venv's python.")
lines.append("enum GnocchiTimeVectors {")
lines.append("    /// (input, nanoseconds or nil, Gnocchi's error or \"NaT\") for `to_timestamp(input)`.")
lines.append("    static let absolute: [(String, Int64?, String?)] = [")
for c in ABS:
    k, v = ts([c])
    if k == "ok" and v[0] == -2**63: lines.append("        (%s, nil, \"NaT\")," % sw(c))
    elif k == "ok": lines.append("        (%s, %d, nil)," % (sw(c), v[0]))
    else: lines.append("        (%s, nil, %s)," % (sw(c), sw(v)))
lines.append("    ]")
lines.append("    /// (input, offset from now in ns or nil) for relative `to_timestamp(input)` (`to_timespan(input, True)`).")
lines.append("    static let relative: [(String, Int64?)] = [")
for c in REL:
    try:
        k, v = ts([c]); assert k == "ok"
        lines.append("        (%s, %d)," % (sw(c), int(utils.to_timespan(c, True).astype('int64'))))
    except Exception as e:
        lines.append("        (%s, nil)," % sw(c))
lines.append("    ]")
lines.append("    /// (epoch seconds as a JSON number, nanoseconds or nil, error) for `to_timestamps([x])`.")
lines.append("    static let epochNumbers: [(Double, Int64?, String?)] = [")
for c in NUMS:
    k, v = ts([c])
    lit = repr(float(c))
    if k == "ok" and v[0] == -2**63: lines.append("        (%s, nil, \"NaT\")," % lit)
    elif k == "ok": lines.append("        (%s, %d, nil)," % (lit, v[0]))
    else: lines.append("        (%s, nil, %s)," % (lit, sw(v)))
lines.append("    ]")
lines.append("    /// (input, nanoseconds or nil, error) for `to_timespan(input)`.")
lines.append("    static let timespans: [(String, Int64?, String?)] = [")
for c in SPANS:
    try:
        v = int(utils.to_timespan(c).astype('int64')); lines.append("        (%s, %d, nil)," % (sw(c), v))
    except ValueError as e:
        lines.append("        (%s, nil, %s)," % (sw(c), sw(str(e))))
    except Exception as e:
        lines.append("        (%s, nil, \"overflow\")," % sw(c))
lines.append("    ]")
lines.append("    /// (nanoseconds, `str(timedelta(seconds=ns/1e9))`).")
lines.append("    static let timedeltaStrings: [(Int64, String)] = [")
for n in DELTAS:
    s = str(datetime.timedelta(seconds=utils.timespan_total_seconds(numpy.timedelta64(n, 'ns'))))
    lines.append("        (%d, %s)," % (n, sw(s)))
lines.append("    ]")
lines.append("    /// (nanoseconds, measure rendering, resource datetime rendering).")
lines.append("    static let renderings: [(Int64, String, String)] = [")
from gnocchi import json as gjson
for n in STAMPS:
    v = numpy.datetime64(n, 'ns')
    m = gjson.to_primitive(v)
    d = gjson.to_primitive(utils.timestamp_to_datetime(v))
    lines.append("        (%d, %s, %s)," % (n, sw(m), sw(d)))
lines.append("    ]")
lines.append("}")
open(sys.argv[1], 'w').write("\n".join(lines) + "\n")
