#!/usr/bin/env python3
"""Offline verifier for Ledger exports, written from docs/ledger-format.md alone (standard library only).

    python3 tools/verify-export.py <export folder | .tar | .tar.gz | .tgz | .zip> [--jwks keys.json] [--checkpoints file]
    python3 tools/verify-export.py --inclusion proof.json [--root <hex>] [--entry-hash <hex>]
    python3 tools/verify-export.py --consistency proof.json [--first-root <hex>] [--root <hex>]

Checks everything `ledger verify-export` checks, signatures included: the manifest's detached ES256 signature, each
file's SHA-256 and size, every checkpoint's signature and key validity, every entry hash (RFC 8785 canonical record)
and link, no gap, every checkpoint reached with the hash it signed, the range complete, the manifest's count and last
hash. ES256 (ECDSA P-256 with SHA-256) and RFC 8785, number formatting included, are implemented below.

Prints `FAIL <reason>[ at <position>][ file <name>]: <detail>` per problem and a last line `OK ...` or `FAILED ...`.
Exit status: 0 verified, 1 not verified, 2 the export or an option file cannot be read.

--inclusion / --consistency check a Merkle proof (docs/ledger-format.md section 13) as the auditor API serves it
(GET /api/ledger/proofs/inclusion, /proofs/consistency) against the roots the auditor trusts: --root (the root of the
tree of tree_size / second_size entries) and --first-root; without them the answer's own roots are used, which only
shows the proof consistent with itself. --entry-hash is the entry hash the auditor holds (from an export), else the
answer's. The verifiers are RFC 9162 sections 2.1.3.2 and 2.1.4.2, step for step.
"""
import argparse
import base64
import hashlib
import io
import json
import math
import os
import re
import sys
import tarfile
import zipfile

# --- RFC 8785 (JCS) --------------------------------------------------------------------------------------------

class Malformed(Exception):
    pass


def _es_number(x):
    """ECMAScript Number.prototype.toString of a double, as RFC 8785 section 3.2.2.3 requires."""
    if isinstance(x, int):
        if abs(x) < 2 ** 53:
            return str(x)
        x = float(x)  # I-JSON: numbers are doubles
    if math.isnan(x) or math.isinf(x):
        raise Malformed("NaN and infinities are not JSON")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _es_number(-x)
    mantissa, _, exponent = repr(x).partition("e")  # repr gives the shortest digits that round-trip, as ECMAScript does
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    e = (int(exponent) if exponent else 0) - len(fraction)
    stripped = digits.rstrip("0")
    e += len(digits) - len(stripped)
    s, k = stripped, len(stripped)
    n = k + e  # the value is 0.s x 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    exp = n - 1
    sign = "+" if exp >= 0 else "-"
    return (s if k == 1 else s[0] + "." + s[1:]) + "e" + sign + str(abs(exp))


_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _jcs_string(s):
    out = ['"']
    for ch in s:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _jcs(value, out):
    if value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif isinstance(value, (int, float)):
        out.append(_es_number(value))
    elif isinstance(value, str):
        out.append(_jcs_string(value))
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _jcs(item, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        # members sorted by their names as UTF-16 code units (big-endian bytes compare the same way)
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))):
            if i:
                out.append(",")
            out.append(_jcs_string(key))
            out.append(":")
            _jcs(value[key], out)
        out.append("}")
    else:
        raise Malformed("not a JSON value")


def canonical(value):
    out = []
    _jcs(value, out)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed("a string holds a lone surrogate (not I-JSON)")


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Malformed("duplicate member " + key)
        obj[key] = value
    return obj


def _no_constants(name):
    raise Malformed(name + " is not JSON")


def parse_json(data):
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as e:
        raise Malformed("not JSON: %s" % e)

# --- ES256: ECDSA on P-256 with SHA-256 ------------------------------------------------------------------------

_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_A = _P - 3
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
      0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % _P == 0:
            return None
        slope = (3 * x1 * x1 + _A) * pow(2 * y1, -1, _P) % _P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, _P) % _P
    x3 = (slope * slope - x1 - x2) % _P
    return x3, (slope * (x1 - x3) - y1) % _P


def _mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def es256_verify(x, y, message, signature):
    if len(signature) != 64 or not (0 <= x < _P and 0 <= y < _P) or (y * y - x * x * x - _A * x - _B) % _P != 0:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < _N and 1 <= s < _N):
        return False
    e = int.from_bytes(hashlib.sha256(message).digest(), "big")
    w = pow(s, -1, _N)
    point = _add(_mul(e * w % _N, _G), _mul(r * w % _N, (x, y)))
    return point is not None and point[0] % _N == r

# --- JWS, keys, checkpoints ------------------------------------------------------------------------------------

CHECKPOINT_TYPE = "ledger-checkpoint+jws"
MANIFEST_TYPE = "ledger-export-manifest+jws"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")  # fixed width: compares as text
HEX32 = re.compile(r"^[0-9a-f]{64}$")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise Malformed("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Key:
    def __init__(self, kid, x, y, valid_from, valid_until, revoked_at=None):
        self.kid, self.x, self.y, self.valid_from, self.valid_until = kid, x, y, valid_from, valid_until
        self.revoked_at = revoked_at

    def refusal(self, at):
        """Why a signature this key made at `at` does not count (section 7), or None when it does."""
        if self.revoked_at is not None and at >= self.revoked_at:
            return "it was signed at %s, after key %s was revoked at %s" % (at, self.kid, self.revoked_at)
        if (self.valid_from is None or at >= self.valid_from) and (self.valid_until is None or at < self.valid_until):
            return None
        return "it was signed outside the validity of key %s" % self.kid


def parse_jwks(data):
    document = parse_json(data)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise Malformed("a JWK Set is an object with a keys array")
    keys = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            continue
        if jwk.get("alg", "ES256") != "ES256" or jwk.get("use", "sig") != "sig":
            continue
        kid, x, y = jwk.get("kid"), jwk.get("x"), jwk.get("y")
        if not all(isinstance(v, str) for v in (kid, x, y)):
            raise Malformed("a key lacks kid, x or y")
        for bound in ("valid_from", "valid_until", "revoked_at"):
            if bound in jwk and not (isinstance(jwk[bound], str) and TIMESTAMP.match(jwk[bound])):
                raise Malformed(bound + " is not a timestamp")
        keys[kid] = Key(kid, int.from_bytes(unb64url(x), "big"), int.from_bytes(unb64url(y), "big"),
                        jwk.get("valid_from"), jwk.get("valid_until"), jwk.get("revoked_at"))
    return keys


def jws_verify(jws, keys, typ, detached=None):
    """(payload, key, None) when the compact JWS verifies, else (None, None, why)."""
    parts = jws.strip().split(".")
    if len(parts) != 3:
        return None, None, "not a JWS in compact serialisation"
    try:
        header = parse_json(unb64url(parts[0]))
        if not isinstance(header, dict):
            return None, None, "the JWS header is not a JSON object"
        if header.get("alg") != "ES256":
            return None, None, "alg %s is not accepted; only ES256 is" % header.get("alg")
        if header.get("typ") != typ:
            return None, None, "typ %s is not %s" % (header.get("typ"), typ)
        if "crit" in header:
            return None, None, "the JWS header has crit members"
        kid = header.get("kid")
        if not isinstance(kid, str):
            return None, None, "the JWS header has no kid"
        if detached is not None:
            if parts[1]:
                return None, None, "expected a detached JWS"
            payload, encoded = detached, b64url(detached)
        else:
            payload, encoded = unb64url(parts[1]), parts[1]
        key = keys.get(kid)
        if key is None:
            return None, None, "key %s is not in the key set" % kid
        if es256_verify(key.x, key.y, (parts[0] + "." + encoded).encode("ascii"), unb64url(parts[2])):
            return payload, key, None
        return None, None, "the signature does not verify with key %s" % kid
    except (Malformed, ValueError) as e:
        return None, None, "the JWS is malformed: %s" % e


def parse_checkpoint(payload):
    c = parse_json(payload)
    if not isinstance(c, dict):
        raise Malformed("a checkpoint payload is a JSON object")
    version = c.get("checkpoint_format")
    if version not in (1, 2) or isinstance(version, bool):
        raise Malformed("checkpoint_format is not 1 or 2")
    seq = c.get("chain_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise Malformed("chain_seq is not a positive integer")
    for name in ("tenant_id", "chain_hash", "issued_at"):
        if not isinstance(c.get(name), str):
            raise Malformed(name + " is missing or not a string")
    if not HEX32.match(c["chain_hash"]) or not TIMESTAMP.match(c["issued_at"]):
        raise Malformed("chain_hash or issued_at is malformed")
    if version == 2:
        # format 2 also signs the Merkle root of the tree of chain_seq leaves (section 8)
        if c.get("tree_size") != seq or isinstance(c.get("tree_size"), bool):
            raise Malformed("tree_size is not chain_seq")
        if not isinstance(c.get("tree_root"), str) or not HEX32.match(c["tree_root"]):
            raise Malformed("tree_root is missing or malformed")
    else:
        c.pop("tree_root", None)
    return c


class Anchor:
    def __init__(self, position, chain_hash, source, invalid, issued_at=None, tree_root=None):
        self.position, self.chain_hash, self.source, self.invalid = position, chain_hash, source, invalid
        self.issued_at, self.tree_root = issued_at, tree_root


def checkpoint_anchor(jws, keys, tenant, fallback):
    payload, key, error = jws_verify(jws, keys, CHECKPOINT_TYPE)
    claimed = None
    try:
        if payload is not None:
            claimed = parse_checkpoint(payload)
        else:
            parts = jws.strip().split(".")
            claimed = parse_checkpoint(unb64url(parts[1])) if len(parts) == 3 else None
    except Malformed as e:
        if error is None:
            return Anchor(fallback, b"", "the checkpoint at %d" % fallback, "its payload is malformed: %s" % e)
    position = claimed["chain_seq"] if claimed else fallback
    source = "the checkpoint at %d" % position + (" signed %s" % claimed["issued_at"] if claimed else "")
    if error is None and claimed["tenant_id"] != tenant:
        error = "it is signed for tenant %s" % claimed["tenant_id"]
    if error is None:
        error = key.refusal(claimed["issued_at"])
    return Anchor(position, bytes.fromhex(claimed["chain_hash"]) if claimed else b"", source, error,
                  claimed["issued_at"] if claimed else None,
                  bytes.fromhex(claimed["tree_root"]) if claimed and "tree_root" in claimed else None)

# --- the chain walk (docs/ledger-format.md sections 4 and 8) ----------------------------------------------------

class Frontier:
    """The Merkle tree of the leaves so far, as the roots of the perfect subtrees they fill, largest first (section 13)."""

    def __init__(self, size=0, hashes=()):
        if len(hashes) != bin(size).count("1"):
            raise Malformed("a tree of %d leaves has a frontier of %d hashes, not %d" % (size, bin(size).count("1"), len(hashes)))
        self.size, self.stack = size, list(hashes)

    def add(self, entry_hash):
        node, n = merkle_leaf_hash(entry_hash), self.size
        while n & 1:
            node, n = merkle_node_hash(self.stack.pop(), node), n >> 1
        self.stack.append(node)
        self.size += 1

    def root(self):
        if not self.stack:
            return hashlib.sha256(b"").digest()
        root = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            root = merkle_node_hash(left, root)
        return root


class Walk:
    def __init__(self, start, previous, anchors, tree=None):
        self.start, self.next, self.previous, self.checked, self.reached, self.failure = start, start, previous, 0, 0, None
        self.tree, self.roots_unchecked = tree, 0
        self.anchors = {}
        for anchor in anchors:
            if anchor.position >= start - 1:
                self.anchors.setdefault(anchor.position, []).append(anchor)
        if start > 1:
            self.failure = self._meet(start - 1, previous)

    def _meet(self, position, chain_hash):
        for anchor in self.anchors.pop(position, []):
            if anchor.invalid:
                return ("bad_signature", position, "%s: %s" % (anchor.source, anchor.invalid))
            if anchor.chain_hash != chain_hash:
                return ("checkpoint_mismatch", position, "the chain hash here is %s, %s vouches for %s"
                        % (chain_hash.hex(), anchor.source, anchor.chain_hash.hex()))
            if anchor.tree_root is not None and self.tree is None:
                self.roots_unchecked += 1
            elif anchor.tree_root is not None and self.tree.root() != anchor.tree_root:
                return ("checkpoint_mismatch", position, "the tree root of the entries through here is %s, %s vouches for %s"
                        % (self.tree.root().hex(), anchor.source, anchor.tree_root.hex()))
            self.reached += 1
        return None

    def accept(self, seq, record, entry_hash, chain_hash):
        if self.failure:
            return
        if seq != self.next:
            self.failure = ("gap", self.next, "expected entry %d, found %d" % (self.next, seq))
            return
        recomputed = hashlib.sha256(canonical(record)).digest()
        if recomputed != entry_hash:
            self.failure = ("hash_mismatch", seq, "record hashes to %s, stored entry hash is %s" % (recomputed.hex(), entry_hash.hex()))
            return
        link = hashlib.sha256(self.previous + entry_hash).digest()
        if link != chain_hash:
            self.failure = ("broken_link", seq, "previous chain hash and entry hash link to %s, stored chain hash is %s"
                            % (link.hex(), chain_hash.hex()))
            return
        if self.tree is not None:
            self.tree.add(entry_hash)
        self.failure = self._meet(seq, chain_hash)
        if not self.failure:
            self.previous, self.next, self.checked = chain_hash, self.next + 1, self.checked + 1

    def finish(self, must_reach, what):
        if self.failure:
            return
        end = must_reach
        remaining = [a for position in sorted(self.anchors) for a in self.anchors[position]]
        for anchor in remaining:
            if not anchor.invalid and anchor.position > end:
                end, what = anchor.position, anchor.source
        if self.next - 1 < end:
            self.failure = ("missing_tail", self.next, "entries end at %d, but %s is at %d" % (self.next - 1, what, end))
            return
        invalid = [a for a in remaining if a.invalid]
        if invalid:
            self.failure = ("bad_signature", invalid[0].position, "%s: %s" % (invalid[0].source, invalid[0].invalid))

# --- the export (docs/ledger-format.md sections 9 and 10) -------------------------------------------------------

LISTED = ("checkpoints.jws", "entries.ndjson", "jwks.json")


def read_export(path):
    """The export's files as {name: bytes}; archives must hold plain files at their root."""
    if os.path.isdir(path):
        return {name: open(os.path.join(path, name), "rb").read() for name in os.listdir(path)
                if os.path.isfile(os.path.join(path, name))}
    files = {}
    if path.lower().endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                files[_plain(info.filename)] = archive.read(info)
    elif re.search(r"\.(tar|tar\.gz|tgz)$", path.lower()):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                if member.isdir():
                    continue
                if not member.isfile():
                    raise OSError("the archive entry %s is not a plain file" % member.name)
                files[_plain(member.name)] = archive.extractfile(member).read()
    else:
        raise OSError("%s is neither a folder nor a .tar, .tar.gz, .tgz or .zip file" % path)
    return files


def _plain(name):
    plain = name[2:] if name.startswith("./") else name
    if not plain or "/" in plain or "\\" in plain or plain in (".", ".."):
        raise OSError("the archive entry %s is not a plain file name at the archive's root" % name)
    return plain


def parse_manifest(data):
    m = parse_json(data)
    if not isinstance(m, dict):
        raise Malformed("the manifest is not a JSON object")
    expected = {"export_format": 1, "record_format": 1, "hash_alg": "sha-256",
                "canonicalization": "rfc8785", "signature_alg": "ES256"}
    for name, value in expected.items():
        if m.get(name) != value or isinstance(m.get(name), bool):
            raise Malformed("%s is %r; this verifier knows %r" % (name, m.get(name), value))
    if m.get("checkpoint_format") not in (1, 2) or isinstance(m.get("checkpoint_format"), bool):
        raise Malformed("checkpoint_format is %r; this verifier knows 1 and 2" % m.get("checkpoint_format"))
    for name in ("from", "to", "count", "checkpoint_count"):
        if not isinstance(m.get(name), int) or isinstance(m.get(name), bool):
            raise Malformed(name + " is missing or not an integer")
    for name in ("tenant_id", "first_previous_hash", "last_chain_hash", "created_at"):
        if not isinstance(m.get(name), str):
            raise Malformed(name + " is missing or not a string")
    if not HEX32.match(m["first_previous_hash"]) or not HEX32.match(m["last_chain_hash"]) or not TIMESTAMP.match(m["created_at"]):
        raise Malformed("a hash or created_at is malformed")
    if not isinstance(m.get("files"), list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str)
            and isinstance(f.get("size"), int) for f in m["files"]):
        raise Malformed("files is not an array of {name, sha256, size}")
    if "head" in m and (not isinstance(m["head"], int) or isinstance(m["head"], bool)):
        raise Malformed("head is not an integer")
    if m["from"] < 1 or m["to"] < m["from"] - 1 or m["count"] < 0 or m.get("head", 0) < 0:
        raise Malformed("from, to, count and head are inconsistent")
    if "tree_frontier" in m:
        if not isinstance(m["tree_frontier"], list) or not all(isinstance(h, str) and HEX32.match(h) for h in m["tree_frontier"]):
            raise Malformed("tree_frontier is not an array of hashes")
        if len(m["tree_frontier"]) != bin(m["from"] - 1).count("1"):
            raise Malformed("tree_frontier has %d hashes; the %d entries before the range need %d"
                            % (len(m["tree_frontier"]), m["from"] - 1, bin(m["from"] - 1).count("1")))
    return m


def verify(files, trusted_keys=None, extra_checkpoints=()):
    """Returns (manifest, failures, walk); a failure is (reason, position or None, file or None, detail)."""
    failures = []
    try:
        if "manifest.json" not in files:
            raise Malformed("manifest.json is missing")
        manifest = parse_manifest(files["manifest.json"])
    except Malformed as e:
        return None, [("malformed", None, "manifest.json", str(e))], None
    tenant = manifest["tenant_id"]

    keys = trusted_keys
    if keys is None:
        try:
            if "jwks.json" not in files:
                raise Malformed("jwks.json is missing")
            keys = parse_jwks(files["jwks.json"])
        except (Malformed, ValueError) as e:
            failures.append(("malformed", None, "jwks.json", str(e)))
            keys = {}

    signature = files.get("manifest.jws")
    if signature is None:
        failures.append(("bad_signature", None, "manifest.jws", "manifest.jws is missing"))
    else:
        _, key, error = jws_verify(signature.decode("ascii", "replace"), keys, MANIFEST_TYPE, detached=files["manifest.json"])
        if error is None and key.refusal(manifest["created_at"]):
            error = "the manifest: " + key.refusal(manifest["created_at"])
        if error:
            failures.append(("bad_signature", None, "manifest.jws", error))

    for name in LISTED:
        if all(f["name"] != name for f in manifest["files"]):
            failures.append(("malformed", None, "manifest.json", "the manifest lists no digest for " + name))
    for f in manifest["files"]:
        if f["name"] not in LISTED:
            failures.append(("malformed", None, "manifest.json", "the manifest lists an unknown file " + f["name"]))
        elif f["name"] not in files:
            failures.append(("file_hash_mismatch", None, f["name"], "the file is missing"))
        else:
            data = files[f["name"]]
            digest = hashlib.sha256(data).hexdigest()
            if digest != f["sha256"] or len(data) != f["size"]:
                failures.append(("file_hash_mismatch", None, f["name"], "SHA-256 %s (%d bytes), the manifest lists %s (%d bytes)"
                                 % (digest, len(data), f["sha256"], f["size"])))

    exported = [line.strip() for line in files.get("checkpoints.jws", b"").decode("ascii", "replace").splitlines() if line]
    if len(exported) != manifest["checkpoint_count"]:
        failures.append(("manifest_mismatch", None, "checkpoints.jws", "the manifest counts %d checkpoints, the file holds %d"
                         % (manifest["checkpoint_count"], len(exported))))
    claims_whole_log = "head" in manifest and manifest["to"] >= manifest["head"]
    anchors = []
    for index, jws in enumerate(exported + [c.strip() for c in extra_checkpoints]):
        anchor = checkpoint_anchor(jws, keys, tenant, 0)
        if anchor.position == 0:
            failures.append(("bad_signature", None, "checkpoints.jws" if index < len(exported) else "(extra checkpoints)",
                             "checkpoint %d cannot be read: %s" % (index + 1, anchor.invalid)))
        elif manifest["from"] - 1 <= anchor.position <= manifest["to"]:
            anchors.append(anchor)
        elif (anchor.position > manifest["to"] and claims_whole_log and not anchor.invalid
              and anchor.issued_at <= manifest["created_at"]):
            # signed before an export that claims the log's end: the walk must reach it, else a missing tail
            anchors.append(anchor)

    previous = bytes.fromhex(manifest["first_previous_hash"])
    if manifest["from"] == 1 and previous != bytes(32):
        failures.append(("manifest_mismatch", None, "manifest.json", "the range starts at 1 but first_previous_hash is not 32 zero bytes"))
        previous = bytes(32)
    # The tree before the range: empty from position 1, else the manifest's frontier (proved or refuted by the first
    # format-2 checkpoint in range); without one, tree roots are not checked.
    if manifest["from"] == 1:
        tree = Frontier()
    elif "tree_frontier" in manifest:
        tree = Frontier(manifest["from"] - 1, [bytes.fromhex(h) for h in manifest["tree_frontier"]])
    else:
        tree = None
    walk = Walk(manifest["from"], previous, anchors, tree)

    lines = files.get("entries.ndjson", b"").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, 1):
        if walk.failure:
            break
        try:
            entry = parse_json(line)
            if not isinstance(entry, dict) or not isinstance(entry.get("record"), dict):
                raise Malformed("member record is missing or not a JSON object")
            if not isinstance(entry["record"].get("tenant_id"), str):
                raise Malformed("member tenant_id is missing or not a string")
            seq = entry.get("chain_seq")
            if not isinstance(seq, int) or isinstance(seq, bool):
                raise Malformed("chain_seq is not an integer")
            if not all(isinstance(entry.get(h), str) and HEX32.match(entry[h]) for h in ("entry_hash", "chain_hash")):
                raise Malformed("entry_hash or chain_hash is not 64 lowercase hex digits")
            if entry["record"]["tenant_id"] != tenant:
                raise Malformed("the record belongs to tenant " + entry["record"]["tenant_id"])
            canonical(entry["record"])
        except Malformed as e:
            walk.failure = ("malformed", walk.next, "line %d: %s" % (number, e))
            break
        if seq > manifest["to"]:
            walk.failure = ("manifest_mismatch", seq, "entry %d lies beyond the manifest's range end %d" % (seq, manifest["to"]))
            break
        walk.accept(seq, entry["record"], bytes.fromhex(entry["entry_hash"]), bytes.fromhex(entry["chain_hash"]))
    walk.finish(manifest["to"], "the end of the manifest's range")

    if walk.failure:
        reason, position, detail = walk.failure
        failures.append((reason, position, None, detail))
    else:
        if len(lines) != manifest["count"]:
            failures.append(("manifest_mismatch", None, "entries.ndjson", "the manifest counts %d entries, the file holds %d"
                             % (manifest["count"], len(lines))))
        if walk.previous.hex() != manifest["last_chain_hash"]:
            failures.append(("manifest_mismatch", None, "manifest.json", "the chain ends at %s, the manifest's last_chain_hash is %s"
                             % (walk.previous.hex(), manifest["last_chain_hash"])))
    return manifest, failures, walk

# --- Merkle trees (RFC 6962 / RFC 9162, docs/ledger-format.md section 13) -----------------------------------------

def merkle_leaf_hash(data):
    """A leaf: SHA-256(0x00 || data); a Ledger leaf's data is the entry's 32-byte entry hash."""
    return hashlib.sha256(b"\x00" + data).digest()


def merkle_node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaf_hashes):
    """MTH over leaf hashes in order, streamed: the stack holds one perfect subtree's root per set bit of the count."""
    stack, count = [], 0
    for leaf in leaf_hashes:
        node, n = leaf, count
        while n & 1:
            node = merkle_node_hash(stack.pop(), node)
            n >>= 1
        stack.append(node)
        count += 1
    if not stack:
        return hashlib.sha256(b"").digest()
    root = stack.pop()
    while stack:
        root = merkle_node_hash(stack.pop(), root)
    return root


def _hashes_ok(*hashes):
    return all(isinstance(h, bytes) and len(h) == 32 for h in hashes)


def verify_inclusion(index, size, leaf_hash, path, root):
    """RFC 9162 section 2.1.3.2: None when `path` proves `leaf_hash` is leaf `index` (0-based) of the tree of `size` leaves."""
    if not 0 <= index < size:
        return "leaf index %d is not in a tree of size %d" % (index, size)
    if not _hashes_ok(leaf_hash, root, *path):
        return "every hash has 32 bytes"
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return "the path is longer than a tree of size %d needs" % size
        if fn & 1 or fn == sn:
            r = merkle_node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = merkle_node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        return "the path is shorter than leaf %d of a tree of size %d needs" % (index, size)
    return None if r == root else "the path leads to the root %s, not %s" % (r.hex(), root.hex())


def verify_consistency(first, second, path, first_root, second_root):
    """RFC 9162 section 2.1.4.2: None when `path` proves the tree of `first` leaves a prefix of the tree of `second`."""
    if first < 1:
        return "the first tree size must be 1 or more, not %d" % first
    if first > second:
        return "the first tree size %d is larger than the second %d" % (first, second)
    if not _hashes_ok(first_root, second_root, *path):
        return "every hash has 32 bytes"
    if first == second:
        if path:
            return "between equal sizes the proof is empty"
        return None if first_root == second_root else "the sizes are equal but the roots differ"
    if not path:
        return "the proof is empty"
    nodes = [first_root] + list(path) if first & (first - 1) == 0 else list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return "the proof has more hashes than sizes %d and %d need" % (first, second)
        if fn & 1 or fn == sn:
            fr, sr = merkle_node_hash(c, fr), merkle_node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = merkle_node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        return "the proof has fewer hashes than sizes %d and %d need" % (first, second)
    if fr != first_root:
        return "the proof leads to the first root %s, not %s" % (fr.hex(), first_root.hex())
    return None if sr == second_root else "the proof leads to the second root %s, not %s" % (sr.hex(), second_root.hex())


def _proof_fields(answer, integers, hashes):
    """The members of an auditor API proof answer, checked for type: integers, then 32-byte hashes, then the proof."""
    if not isinstance(answer, dict):
        raise Malformed("the answer is not a JSON object")
    values = []
    for name in integers:
        if not isinstance(answer.get(name), int) or isinstance(answer.get(name), bool):
            raise Malformed("member %s is missing or not an integer" % name)
        values.append(answer[name])
    for name in hashes:
        values.append(_hex32(answer.get(name), "member " + name))
    proof = answer.get("proof")
    if not isinstance(proof, list):
        raise Malformed("member proof is missing or not an array")
    values.append([_hex32(h, "a proof hash") for h in proof])
    return values


def _hex32(text, what):
    if not isinstance(text, str) or not HEX32.match(text):
        raise Malformed("%s is not 64 lowercase hex digits" % what)
    return bytes.fromhex(text)


def check_inclusion(answer, root=None, entry_hash=None):
    """An inclusion proof answer against the trusted root: (failure or None, what was proved)."""
    position, index, size, answer_entry, answer_leaf, answer_root, path = _proof_fields(
        answer, ("position", "leaf_index", "tree_size"), ("entry_hash", "leaf_hash", "root_hash"))
    if index != position - 1:
        return "leaf_index %d is not position %d - 1" % (index, position), None
    leaf = merkle_leaf_hash(entry_hash if entry_hash is not None else answer_entry)
    if entry_hash is None and leaf != answer_leaf:
        return "leaf_hash is not SHA-256(0x00 || entry_hash)", None
    trusted = root if root is not None else answer_root
    failure = verify_inclusion(index, size, leaf, path, trusted)
    return failure, "entry %d (leaf %d) is in the tree of size %d with root %s" % (position, index, size, trusted.hex())


def check_consistency(answer, first_root=None, root=None):
    first, second, answer_first, answer_second, path = _proof_fields(
        answer, ("first_size", "second_size"), ("first_root", "second_root"))
    r1 = first_root if first_root is not None else answer_first
    r2 = root if root is not None else answer_second
    failure = verify_consistency(first, second, path, r1, r2)
    return failure, "the tree of size %d (root %s) is a prefix of the tree of size %d (root %s)" % (first, r1.hex(), second, r2.hex())


def proof_main(args):
    try:
        answer = parse_json(open(args.inclusion or args.consistency, "rb").read())
        given = {name: _hex32(getattr(args, name), "--" + name.replace("_", "-"))
                 for name in ("root", "first_root", "entry_hash") if getattr(args, name) is not None}
        if args.inclusion:
            failure, proved = check_inclusion(answer, given.get("root"), given.get("entry_hash"))
        else:
            failure, proved = check_consistency(answer, given.get("first_root"), given.get("root"))
    except (OSError, Malformed, ValueError) as e:
        print("verify-export: %s" % e, file=sys.stderr)
        return 2
    roots = "the roots given" if "root" in given or "first_root" in given else "the answer's own roots (pass --root to check against one you trust)"
    print("roots: " + roots)
    if failure:
        print("FAIL bad_proof: %s" % failure)
        print("FAILED the proof does not verify")
        return 1
    print("OK " + proved)
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description="Verify a Ledger export offline.")
    parser.add_argument("export", nargs="?")
    parser.add_argument("--jwks", help="the key set to trust (GET /api/ledger/jwks); default: the export's own jwks.json")
    parser.add_argument("--checkpoints", help="checkpoint JWSs kept from earlier, one per line")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--inclusion", help="an inclusion proof as GET /api/ledger/proofs/inclusion answers it")
    mode.add_argument("--consistency", help="a consistency proof as GET /api/ledger/proofs/consistency answers it")
    parser.add_argument("--root", help="the trusted root (hex) of the proof's tree (tree_size, or second_size)")
    parser.add_argument("--first-root", dest="first_root", help="the trusted root (hex) of the tree of first_size")
    parser.add_argument("--entry-hash", dest="entry_hash", help="the entry hash (hex) the auditor holds for the proved entry")
    args = parser.parse_args(argv)
    if args.inclusion or args.consistency:
        if args.export:
            parser.error("a proof is checked on its own, without an export")
        return proof_main(args)
    if not args.export:
        parser.error("an export, --inclusion or --consistency is required")
    try:
        files = read_export(args.export)
        trusted = parse_jwks(open(args.jwks, "rb").read()) if args.jwks else None
        extra = [l for l in open(args.checkpoints).read().splitlines() if l.strip()] if args.checkpoints else []
    except (OSError, Malformed, ValueError, tarfile.TarError, zipfile.BadZipFile) as e:
        print("verify-export: %s" % e, file=sys.stderr)
        return 2

    manifest, failures, walk = verify(files, trusted, extra)
    if manifest:
        extent = ""
        if "head" in manifest:
            extent = (" (the whole log: head %d)" if manifest["to"] >= manifest["head"] else " (of a log whose head was %d)") % manifest["head"]
        print("export of tenant %s, positions %d..%d%s: %d entries, %d checkpoints" % (
            manifest["tenant_id"], manifest["from"], manifest["to"], extent, manifest["count"], manifest["checkpoint_count"]))
    print("keys: " + ("the key set given with --jwks" if trusted is not None else "the export's own jwks.json"))
    for reason, position, name, detail in failures:
        print("FAIL %s%s%s: %s" % (reason, "" if position is None else " at %d" % position, "" if name is None else " file " + name, detail))
    if failures:
        print("FAILED verified through %d; %d problem(s)" % (walk.next - 1 if walk else 0, len(failures)))
        return 1
    if walk.roots_unchecked:
        print("note: %d checkpoint tree root(s) not checked: the export starts at %d without a tree_frontier"
              % (walk.roots_unchecked, manifest["from"]))
    print("OK verified %d..%d: %d entries, %d checkpoints reached, last chain hash %s%s"
          % (manifest["from"], walk.next - 1, walk.checked, walk.reached, walk.previous.hex(),
             ", tree root %s" % walk.tree.root().hex() if walk.tree is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
