"""Builds a full-size .pt2 from a graph-only export (model.json + configs + entry sizes).

    synth_pt2.py GRAPH.tar.gz OUT.pt2

The graph tarball holds `<name>/models/model.json`, the weights and constants configs and
`archive_sizes.json` (the byte size of every entry of the real archive). Every weight file is
synthesized at its listed size, deterministically (a fixed seed per entry):
  - `...original0` (int4 qdata held in int8): values in [-8, 7];
  - `...original2` (zero points): zeros;
  - `...original1` (scales, float32): small positive values;
  - everything else: ones (float32) or zeros (other dtypes).
Entries are stored uncompressed with their data on 64-byte boundaries, like torch.export.save,
and the zip's timestamps are fixed, so the same inputs give the same bytes.
"""
import json
import os
import struct
import sys
import tarfile
import zipfile

import numpy as np

ALIGN = 64
CHUNK = 1 << 24  # write big entries in 16 MiB pieces: memory stays small
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def payload_roles(configs):
    """Maps archive entry (relative to the root) -> (role, dtype code)."""
    roles = {}
    for folder, config in configs.items():
        for fqn, payload in config["config"].items():
            entry = f"data/{folder}/{payload['path_name']}"
            dtype = payload["tensor_meta"]["dtype"]
            if fqn.endswith("original0"):
                role = "qdata"
            elif fqn.endswith("original2"):
                role = "zeros"
            elif fqn.endswith("original1"):
                role = "scales"
            else:
                role = "ones" if dtype == 7 else "zeros"
            roles[entry] = (role, dtype)
    return roles


def chunks(role, size, seed):
    rng = np.random.default_rng(seed)
    left = size
    while left > 0:
        n = min(left, CHUNK)
        if role == "qdata":
            yield rng.integers(-8, 8, size=n, dtype=np.int8).tobytes()
        elif role == "scales":
            yield rng.uniform(0.002, 0.02, size=n // 4).astype("<f4").tobytes()
        elif role == "ones":
            yield np.ones(n // 4, dtype="<f4").tobytes()
        else:
            yield bytes(n)
        left -= n


def aligned_info(zf, name):
    """A ZipInfo whose data starts on an ALIGN boundary (padding in an extra field)."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    header_end = zf.fp.tell() + 30 + len(name.encode()) + 4  # +4: the extra field's header
    pad = (-header_end) % ALIGN
    info.extra = struct.pack("<HH", 0x7A7A, pad) + bytes(pad)
    return info


def main(graph_tar, out_path):
    with tarfile.open(graph_tar) as t:
        members = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
    root = next(n.split("/")[0] for n in members)
    sizes = json.loads(members[f"{root}/archive_sizes.json"])
    configs = {}
    for folder in ("weights", "constants"):
        key = f"{root}/data/{folder}/model_{folder}_config.json"
        if key in members:
            configs[folder] = json.loads(members[key])
    roles = payload_roles(configs)

    tmp = out_path + ".tmp"
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for index, (name, size) in enumerate(sorted(sizes.items())):
            rel = name[len(root) + 1:]
            info = aligned_info(zf, name)
            info.file_size = size
            with zf.open(info, "w", force_zip64=size > 0xFFFFFFFF) as f:
                if name in members:  # graph, configs and small metadata: the real bytes
                    f.write(members[name])
                elif rel in roles:
                    role, _ = roles[rel]
                    for piece in chunks(role, size, seed=index):
                        f.write(piece)
                else:
                    f.write(bytes(size))
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
