"""Checks that every named-data key of a .pte is the SHA-256 of its segment's bytes
(SPIR-V entries keep their `vkqc.spirv.<variant>` names).

usage: check_named_data_keys.py model.pte inspect.json
Prints `named data: N entries, every key the SHA-256 of its bytes` or exits 1.
"""
import hashlib
import json
import sys

pte, inspect = sys.argv[1], sys.argv[2]
data = open(pte, "rb").read()
info = json.load(open(inspect))
segments = {s["index"]: s for s in info["segments"]}
entries = info["named_data"]
hashed = 0
for entry in entries:
    if entry["key"].startswith("vkqc.spirv."):
        continue
    s = segments[entry["segment"]]
    digest = hashlib.sha256(data[s["file_offset"]:s["file_offset"] + s["size"]]).hexdigest()
    if digest != entry["key"]:
        sys.exit(f"named data: key {entry['key']} is not the SHA-256 of segment {entry['segment']} ({digest})")
    hashed += 1
if hashed == 0:
    sys.exit("named data: no hashed entry")
keys = [e["key"] for e in entries]
if len(set(keys)) != len(keys):
    sys.exit("named data: a key appears twice")
print(f"named data: {len(entries)} entries, every key the SHA-256 of its bytes")
