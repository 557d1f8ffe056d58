"""Plain data across the sandbox boundary, without pickle.

JSON, with numpy arrays as base64 `.npy` (read back with allow_pickle=False, so no object arrays) and tuples
and dicts tagged so they come back as they went. Anything else (functions, tensors, modules, custom classes)
is refused on the way out; on the way in, the trusted side gets only these types, whatever the sandbox sent.
Frames on a stream socket: 8-byte big-endian length, then the JSON text.
"""
import base64
import io
import json
import math
import struct

import numpy as np

MAX_FRAME = 256 * 2 ** 20  # bytes; a larger frame from the sandbox is refused


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
            return np.load(io.BytesIO(base64.b64decode(payload, validate=True)), allow_pickle=False)
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


def dumps(value):
    """`value` as JSON bytes (raises WireError for anything but plain data)."""
    return json.dumps(_encode(value), allow_nan=False).encode("utf-8")


def loads(data):
    """The plain data in JSON bytes `data`; raises WireError when malformed."""
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


def _recv_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(min(n, 2 ** 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(sock, max_frame=MAX_FRAME):
    """One message from `sock` (blocking, or up to the socket's timeout: socket.timeout)."""
    (n,) = struct.unpack(">Q", _recv_exact(sock, 8))
    if n > max_frame:
        raise WireError(f"message of {n} bytes exceeds the {max_frame}-byte limit")
    return loads(_recv_exact(sock, n))

