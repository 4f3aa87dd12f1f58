#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz-xdr target (Fuzz/corpus/xdr): for each
procedure the daemon serves, a call and a reply frame whose payload is zeros
(empty strings and arrays, absent pointers, zero numbers: a valid encoding of
most args and rets for the fuzzer to grow from), plus an error reply, a
keepalive ping and two frames back to back."""
import os, re, struct, sys

root = os.path.join(os.path.dirname(__file__), "..")
src = open(os.path.join(root, "Sources/remote/RemoteProcedure.swift")).read()
numbers = {m.group(1): int(m.group(2)) for m in re.finditer(r"static let (\w+) = RemoteProcedure\((\d+)\)", src)}
calls = open(os.path.join(root, "Sources/remote/RemoteCall.swift")).read()
used = re.findall(r"static let procedure = RemoteProcedure\.(\w+)", calls)

def frame(program, procedure, type_, status, payload):
    header = struct.pack(">IIiIIi", program, 1, procedure, type_, 1, status)
    return struct.pack(">I", 4 + len(header) + len(payload)) + header + payload

out = os.path.join(root, "Fuzz/corpus/xdr")
os.makedirs(out, exist_ok=True)
REMOTE, QEMU, KEEPALIVE = 0x20008086, 0x20008087, 0x6b656570
seeds = {}
for name in used:
    n = numbers[name]
    seeds[f"call-{n:03d}-{name}"] = frame(REMOTE, n, 0, 0, bytes(64))
    seeds[f"reply-{n:03d}-{name}"] = frame(REMOTE, n, 1, 0, bytes(64))
seeds["qemu-monitor-command"] = frame(QEMU, 1, 0, 0, bytes(64))
# remote_error: code, domain, message (absent), level, dom (absent), str1..3 (absent), int1, int2, net (absent)
err = struct.pack(">iiIiIIIIiiI", 1, 10, 0, 2, 0, 0, 0, 0, 0, 0, 0)
seeds["error-reply"] = frame(REMOTE, 1, 1, 1, err)
seeds["keepalive-ping"] = frame(KEEPALIVE, 1, 2, 0, b"")
seeds["two-frames"] = seeds["keepalive-ping"] + seeds["call-001-connectOpen"]
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}", file=sys.stderr)
