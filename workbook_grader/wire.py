"""Plain data across the sandbox boundary, without pickle.

JSON, with numpy arrays as base64 `.npy` (read back with allow_pickle=False, so no object arrays) and tuples
and dicts tagged so they come back as they went. Anything else (functions, tensors, modules, custom classes)
is refused on the way out; on the way in, the trusted side gets only these types, whatever the sandbox sent.
Frames on a stream socket: 8-byte big-endian length, then the JSON text. A received frame is bounded three ways
(a hostile sandbox controls every byte): one deadline for the whole frame, however slowly it drips in; a size
limit read from its header before anything is allocated; and a limit on the JSON values it holds, counted on the
raw bytes before decoding, so the decoded objects (about 60-100 bytes each) stay within a few tens of MiB.
"""
import base64
import io
import json
import math
import socket
import struct
import time

import numpy as np

MAX_FRAME = 16 * 2 ** 20  # bytes; a larger frame from the sandbox is refused (the course's answers: < 100 kB)
MAX_VALUES = 200_000      # JSON values per frame (arrays count as one); 66 MB of `[],` decoded to 1.6 GiB


class WireError(ValueError):
    """Data that cannot cross the boundary (unsupported type, malformed or oversized frame)."""


def _encode(value, depth=0):
    if depth > 64:
        raise WireError("answers nested more than 64 levels deep")
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise WireError("an array of Python objects cannot be sent; use numbers")
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(value), allow_pickle=False)
        return {"__ndarray__": base64.b64encode(buf.getvalue()).decode("ascii")}
    if type(value) is list:
        return [_encode(v, depth + 1) for v in value]
    if type(value) is tuple:
        return {"__tuple__": [_encode(v, depth + 1) for v in value]}
    if type(value) is dict:
        return {"__dict__": [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]}
    raise WireError(f"a {type(value).__name__} is not plain data (numbers, strings, numpy arrays, lists, tuples, dicts)")


def _decode_object(obj):
    if len(obj) != 1:
        raise WireError(f"unexpected object with keys {sorted(obj)[:5]}")
    (tag, payload), = obj.items()
    if tag == "__ndarray__":
        try:
            return _load_array(base64.b64decode(payload, validate=True))
        except WireError:
            raise
        except Exception as exc:  # malformed bytes from an untrusted sender
            raise WireError(f"malformed array: {exc}") from None
    if tag == "__tuple__" and isinstance(payload, list):
        return tuple(payload)
    if tag == "__dict__" and isinstance(payload, list) and all(isinstance(p, list) and len(p) == 2 for p in payload):
        try:
            return {k: v for k, v in payload}
        except TypeError:
            raise WireError("a dict key is not hashable") from None
    if tag == "__float__" and payload in ("nan", "inf", "-inf"):
        return float(payload)
    raise WireError(f"unexpected tag {tag!r}")


def _load_array(raw):
    """The .npy bytes `raw` as an array, its header checked first: np.load allocates the shape the header claims
    before it reads the data, so a short payload claiming 10^12 elements must be refused before that."""
    buf = io.BytesIO(raw)
    version = np.lib.format.read_magic(buf)
    header = np.lib.format.read_array_header_2_0 if version >= (2, 0) else np.lib.format.read_array_header_1_0
    shape, _, dtype = header(buf)
    if dtype.hasobject:
        raise WireError("an array of Python objects cannot be received")
    if math.prod(shape) * dtype.itemsize != len(raw) - buf.tell():
        raise WireError(f"array header claims shape {shape} of {dtype}, but {len(raw) - buf.tell()} bytes follow")
    buf.seek(0)
    return np.load(buf, allow_pickle=False)


def dumps(value):
    """`value` as JSON bytes (raises WireError for anything but plain data)."""
    return json.dumps(_encode(value), allow_nan=False).encode("utf-8")


def loads(data, max_values=MAX_VALUES):
    """The plain data in JSON bytes `data`; raises WireError when malformed or holding more than `max_values`
    values (every value but the first follows a `,`, `[` or `:`, so their count bounds the values from above)."""
    values = data.count(b",") + data.count(b"[") + data.count(b":") + 1
    if values > max_values:
        raise WireError(f"message of {values} JSON values exceeds the {max_values}-value limit")
    try:
        return json.loads(data.decode("utf-8"), object_hook=_decode_object,
                          parse_constant=lambda c: (_ for _ in ()).throw(WireError(f"bare {c}")))
    except WireError:
        raise
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise WireError(f"malformed message: {type(exc).__name__}") from None


def send(sock, value):
    data = dumps(value)
    sock.sendall(struct.pack(">Q", len(data)) + data)


def _recv_exact(sock, n, deadline):
    chunks = []
    while n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("the message did not arrive before its deadline")
            sock.settimeout(remaining)
        chunk = sock.recv(min(n, 2 ** 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(sock, deadline=None, max_frame=MAX_FRAME):
    """One message from `sock`, whole by `deadline` (a time.monotonic() value; None: blocking, or the socket's
    own timeout per read) or socket.timeout; a frame over `max_frame` bytes is refused from its header."""
    (n,) = struct.unpack(">Q", _recv_exact(sock, 8, deadline))
    if n > max_frame:
        raise WireError(f"message of {n} bytes exceeds the {max_frame}-byte limit")
    return loads(_recv_exact(sock, n, deadline))

