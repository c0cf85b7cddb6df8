#!/usr/bin/env python3
"""An implementation of the AEAT VERI*FACTU fingerprint rule written apart from Ledger's C# code, from
shared/testdata/verifactu/README.md alone: SHA-256 over the UTF-8 bytes of `Field=value&...` in the fixed field
order, values trimmed, upper-case hex. It checks itself against the AEAT vectors, then prints the fingerprints of the
chain that VeriFactuChainTests makes (issue, issue, cancel for issuer 89890001K); the test holds these values.

Run: python3 independent_fingerprints.py [path/to/vectors.tsv]
"""
import hashlib
import sys

REGISTRATION = ["IDEmisorFactura", "NumSerieFactura", "FechaExpedicionFactura", "TipoFactura", "CuotaTotal",
                "ImporteTotal", "Huella", "FechaHoraHusoGenRegistro"]
CANCELLATION = ["IDEmisorFacturaAnulada", "NumSerieFacturaAnulada", "FechaExpedicionFacturaAnulada", "Huella",
                "FechaHoraHusoGenRegistro"]


def fingerprint(names, values):
    text = "&".join(f"{n}={v.strip()}" for n, v in zip(names, values))
    return hashlib.sha256(text.encode("utf-8")).hexdigest().upper()


def check_vectors(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                text, expected = line.rstrip("\n").split("\t")
                assert hashlib.sha256(text.encode("utf-8")).hexdigest().upper() == expected, text


if len(sys.argv) > 1:
    check_vectors(sys.argv[1])
# The AEAT's first vector, from its fields:
assert fingerprint(REGISTRATION, ["89890001K", "12345678/G33", "01-01-2024", "F1", "12.35", "123.45", "",
                                  "2024-01-01T19:20:30+01:00"]) == \
    "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"

first = fingerprint(REGISTRATION, ["89890001K", "FV-2026/000001", "02-03-2026", "F1", "6.66", "43.56", "",
                                   "2026-03-02T10:15:00+01:00"])
second = fingerprint(REGISTRATION, ["89890001K", "FV-2026/000002", "02-03-2026", "F2", "21.00", "121.00", first,
                                    "2026-03-02T10:15:05+01:00"])
third = fingerprint(CANCELLATION, ["89890001K", "FV-2026/000001", "02-03-2026", second,
                                   "2026-03-02T10:15:10+01:00"])
print(first)
print(second)
print(third)

# VeriFactuInteropTests: another system's record continuing the AEAT chain, its amounts as its XML writes them
# (12.1 and 100, no trailing zeros), the same record with the amounts rewritten with two decimals, and Ledger's F2
# record chained after it.
AEAT_SECOND = "F7B94CFD8924EDFF273501B01EE5153E4CE8F259766F88CF6ACB8935802A2B97"
foreign = fingerprint(REGISTRATION, ["89890001K", "12345680/G35", "01-01-2024", "F1", "12.1", "100", AEAT_SECOND,
                                     "2024-01-01T19:20:40+01:00"])
reformatted = fingerprint(REGISTRATION, ["89890001K", "12345680/G35", "01-01-2024", "F1", "12.10", "100.00", AEAT_SECOND,
                                         "2024-01-01T19:20:40+01:00"])
after_foreign = fingerprint(REGISTRATION, ["89890001K", "FV-2026/000001", "02-03-2026", "F2", "21.00", "121.00", foreign,
                                           "2026-03-02T10:15:00+01:00"])
print(foreign)
print(reformatted)
print(after_foreign)
