#!/usr/bin/python3
"""Seed corpus of the parser fuzz targets (src/test/java/**/*FuzzTest.java), standard library only.

    python3 tools/fuzz/make_seed_corpus.py

Writes src/test/resources/io/ditcache/<package>/<Class>Inputs/<method>/: valid files built from the io test fixtures
and crafted bad ones (each once a crash or a case the hardening of issue 12 covers). Findings of a fuzzing run
(crash-* files Jazzer writes next to these) are kept beside them as regression inputs; rerunning this script
leaves them alone.
"""
import gzip
import io
import json
import os
import struct
import zipfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources")
FIXTURES = os.path.join(ROOT, "io")


def put(package, cls, method, name, data):
    d = os.path.join(ROOT, "io", "ditcache", package, cls + "Inputs", method)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("latin-1"))


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


def le(value, width):
    return (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


# --- JSON ---------------------------------------------------------------------------------------------------------

def json_seeds():
    header = fixture("reference.safetensors")
    n = struct.unpack("<Q", header[:8])[0]
    put("io", "JsonFuzzTest", "parse", "safetensors-header.json", header[8:8 + n])
    put("io", "JsonFuzzTest", "parse", "values.json",
        '{"a": [1, -2, 3.5e1, true, false, null], "s": "x\\"\\\\\\u00e9\\n\\ud83d\\ude00", "n": -0.0e-3}')
    put("io", "JsonFuzzTest", "parse", "deep.json", "[" * 100 + "]" * 100)
    put("io", "JsonFuzzTest", "parse", "duplicate-key.json", '{"a": 1, "a": 2}')
    put("io", "JsonFuzzTest", "parse", "bad-escape.json", '["\\x", "\\u12"]')
    put("io", "JsonFuzzTest", "parse", "numbers.json", "[1e400, -, 9223372036854775808, 1.2.3, 01]")
    put("io", "JsonFuzzTest", "writeRoundTrips", "controls.txt", "tab\t nl\n cr\r \x01 \x1f quote\" back\\ slash/")
    put("io", "JsonFuzzTest", "writeRoundTrips", "unicode.txt", "\u00e9\u2028\U0001F600".encode("utf-8"))


# --- safetensors --------------------------------------------------------------------------------------------------

def safetensors(header, data=b"", raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode("utf-8")
    return struct.pack("<Q", len(h)) + h + data


def router_file(logits_shape=(3, 4), values=None, **meta):
    m = {"format": "ditcache-router", "version": "1", "method": "harmonica", "sampler": "ddim", "steps": "3",
         "depth": "2", "cfg": "1.5", "model_fingerprint": "", "threshold": "0.1", "provenance.seed": "0"}
    m.update(meta)
    n = logits_shape[0] * logits_shape[1]
    vals = values if values is not None else [0.25 * i - 1 for i in range(n)]
    data = b"".join(struct.pack("<f", v) for v in vals)
    return safetensors({"__metadata__": m,
                        "logits": {"dtype": "F32", "shape": list(logits_shape), "data_offsets": [0, len(data)]}}, data)


def safetensors_seeds():
    put("io", "SafeTensorsFuzzTest", "read", "reference.safetensors", fixture("reference.safetensors"))
    put("io", "SafeTensorsFuzzTest", "read", "router.safetensors", router_file())
    t = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    bad = {
        "deep-header": safetensors(None, raw_header=b'{"a":' * 5000 + b"1" + b"}" * 5000),
        "huge-shape": safetensors({"w": {"dtype": "F32", "shape": [2 ** 31, 2 ** 31, 2 ** 31], "data_offsets": [0, 8]}},
                                  b"\0" * 8),
        "offsets-beyond-end": safetensors({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 1 << 40]}}, b"\0" * 8),
        "overlap": safetensors({"a": t, "b": t}, b"\0" * 8),
        "bad-utf8": safetensors(None, raw_header=b'{"\xff\xfe": 1}'),
        "header-length-overflow": b"\xf0\xff\xff\xff\xff\xff\xff\xff{}",
        "short": b"\x02\0\0",
        "metadata-not-strings": safetensors({"__metadata__": {"k": 1}}),
        "unknown-dtype": safetensors({"w": {"dtype": "F8", "shape": [1], "data_offsets": [0, 1]}}, b"\0"),
        "rank-65": safetensors({"w": {"dtype": "U8", "shape": [1] * 65, "data_offsets": [0, 1]}}, b"\0"),
        "negative-shape": safetensors({"w": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 1]}}, b"\0"),
        "not-an-object": safetensors(None, raw_header=b"[1, 2]   "),
    }
    for name, data in bad.items():
        put("io", "SafeTensorsFuzzTest", "read", name + ".safetensors", data)


# --- pickle / torch.save ------------------------------------------------------------------------------------------

def pickle_of(pt):
    with zipfile.ZipFile(io.BytesIO(fixture(pt))) as z:
        return z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))


def tensor_pickle(size, stride, storage=b"FloatStorage", offset=b"K\x00"):
    """protocol 2: {'w': _rebuild_tensor_v2(storage '0', offset, size, stride, False, ())}"""
    return (b"\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n("
            b"(X\x07\x00\x00\x00storagectorch\n" + storage + b"\nX\x01\x00\x00\x000"
            b"X\x03\x00\x00\x00cpuK\x04tQ" + offset + size + stride + b"\x89)tRs.")


def torch_seeds():
    for pt in ["state_dict.pt", "wrapped.pt", "model_only.pt", "router.pt", "malicious.pt"]:
        put("io", "TorchCheckpointFuzzTest", "pickle", pt.replace(".pt", ".pkl"), pickle_of(pt))
        put("io", "TorchCheckpointFuzzTest", "checkpointFile", pt, fixture(pt))
    for pt in ["legacy.pt", "no_pickle.pt"]:
        put("io", "TorchCheckpointFuzzTest", "checkpointFile", pt, fixture(pt))
    whole = fixture("state_dict.pt")
    put("io", "TorchCheckpointFuzzTest", "checkpointFile", "half.pt", whole[:len(whole) // 2])
    one = b"(K\x01t"
    crafted = {
        "binunicode-length": b"\x80\x04X" + le(0xFFFFFFF0, 4) + b"abc.",
        "binbytes8-length": b"\x80\x04\x8e" + le(1 << 40, 8) + b"abc.",
        "binstring-negative": b"\x80\x04T" + le(0xFFFFFFF0, 4) + b"abc.",
        "marks": b"\x80\x02" + b"(" * 300 + b"l" * 300 + b".",
        "appends": b"]" * 300 + b"a" * 299 + b".",
        "cycle": b"]q\x00h\x00a.",
        "unhashable-key": b"}]q\x00h\x00aK\x01s.",
        "unhashable-set": b"\x8f(]\x90.",
        "stack-global-eval": b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x08print(1)\x85R.",
        "inst-os-system": b"(S'echo hi'\nios\nsystem\n.",
        "view-ok": tensor_pickle(b"(K\x04t", one),
        "view-too-long": tensor_pickle(b"(J" + le(2 ** 31 - 9, 4) + b"t", one),
        "view-size-product": tensor_pickle(b"(" + (b"J" + le(2 ** 31 - 1, 4)) * 3 + b"t", b"(K\x01K\x01K\x01t"),
        "view-stride-overflow": tensor_pickle(b"(K\x03t", b"(\x8a\x08" + le(1 << 62, 8) + b"t"),
        "view-negative-size": tensor_pickle(b"(J" + le(-3, 4) + b"t", one),
        # A broadcast (stride-0) view: 2^30 floats (4 GiB) materialized from one stored element.
        "view-broadcast": tensor_pickle(b"(J" + le(2 ** 30, 4) + b"t", b"(K\x00t"),
        "view-broadcast-2d": tensor_pickle(b"(M\x00\x80M\x00\x80t", b"(K\x00K\x00t"),
        "view-negative-offset": tensor_pickle(b"(K\x01t", one, offset=b"J" + le(-1, 4)),
        "persistent-id-deep": b"(" * 300 + b"t" * 300 + b"Q.",
        "stack-global-non-strings": b"\x80\x04]]\x93.",
    }
    for name, data in crafted.items():
        put("io", "TorchCheckpointFuzzTest", "pickle", name + ".pkl", data)


# --- IDX ----------------------------------------------------------------------------------------------------------

def idx(magic, dims, data):
    return struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in dims) + data


def idx_seeds():
    images = idx(0x803, [2, 3, 3], bytes(range(18)))
    labels = idx(0x801, [5], bytes([0, 1, 2, 9, 3]))
    seeds = {
        "images.idx": images,
        "labels.idx": labels,
        "images.idx.gz": gzip.compress(images, mtime=0),
        "labels.idx.gz": gzip.compress(labels, mtime=0),
        "truncated.idx": images[:-3],
        "trailing.idx": labels + b"\0",
        "bad-magic.idx": idx(0x0D03, [1, 1, 1], b"\0"),
        "huge-dims.idx": idx(0x803, [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], b"\0"),
        "negative-dim.idx": idx(0x803, [-1, 1, 1], b"\0"),
        "label-out-of-range.idx": idx(0x801, [1], b"\xff"),
        "corrupt.gz": gzip.compress(images, mtime=0)[:20],
    }
    for name, data in seeds.items():
        put("data", "IdxReaderFuzzTest", "read", name, data)


# --- router files -------------------------------------------------------------------------------------------------

def router_seeds():
    seeds = {
        "valid": router_file(),
        "l2c": router_file(method="l2c", cfg="unknown"),
        "nan-logit": router_file(values=[float("nan")] * 12),
        "wrong-shape": router_file(logits_shape=(2, 4)),
        "no-format": router_file(format="x"),
        "threshold-nan": router_file(threshold="NaN"),
        "steps-huge": router_file(steps="2147483647", depth="1073741824"),
    }
    for name, data in seeds.items():
        put("cache", "RouterFileFuzzTest", "read", name + ".safetensors", data)
    # FuzzedDataProvider seeds (read from the end: ints, then booleans and strings).
    for i, data in enumerate([b"\x01" * 64, bytes(range(256)), b"\xff" * 40 + b"\x03\x00\x00\x00\x04\x00\x00\x00"]):
        put("cache", "RouterFileFuzzTest", "metadata", "seed-%d" % i, data)


if __name__ == "__main__":
    json_seeds()
    safetensors_seeds()
    torch_seeds()
    idx_seeds()
    router_seeds()
