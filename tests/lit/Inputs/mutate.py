"""Builds a test input from a base program by applying one or more edits.

    mutate.py OUT BASE [edits...]

BASE is an extracted archive directory (tests/lit/Inputs/mini) or a .pt2. OUT is a
directory (an extracted archive: OUT/models/model.json) or, with --zip, a .pt2 file.
Edits apply in order:
  --set FILE:/json/pointer=JSON    set a value (FILE is model or weights; one past the
                                   end of a list appends)
  --delete FILE:/json/pointer      delete a key or list element
  --text FILE=TEXT                 replace a JSON file by raw text
  --text-from FILE=PATH            replace a JSON file by the bytes of PATH
  --truncate ENTRY=N               keep only the first N bytes of an entry
  --omit ENTRY                     leave an entry out
  --zip                            write a zip archive instead of a directory
  --compress ENTRY                 (with --zip) deflate that entry
  --flip ENTRY@OFFSET^MASK         xor one byte of an entry with MASK (negative OFFSET
                                   counts from the end)
  --append ENTRY=TEXT              add (or replace) an entry with raw text
  --patch-zip WHERE.FIELD=VALUE    (with --zip) after writing, overwrite one header field:
                                   WHERE is eocd, central:ENTRY or local:ENTRY; FIELD is one
                                   of the names in ZIP_FIELDS (VALUE decimal or 0x hex)
  --corrupt ENTRY@OFFSET^MASK      (with --zip) after writing, xor one byte of the entry's
                                   data in the archive, its stored CRC-32 left as it is
                                   (negative OFFSET counts from the end)
  --zero-crcs                      (with --zip) after writing, store 0 as every entry's
                                   CRC-32 (local and central), as PyTorch's writer does when
                                   told not to compute them
  --zip-root ROOT                  (with --zip) the archive's root folder (default archive/)
  --raw                            OUT is BASE (a .pt2) byte for byte, not rewritten; only
                                   the after-writing edits above apply (implies --zip)
"""
import json, os, shutil, sys, zipfile

FILES = {"model": "models/model.json", "weights": "data/weights/model_weights_config.json"}

# Zip header fields: name -> (offset, struct format) inside each record.
ZIP_FIELDS = {
    "eocd": {"sig": (0, "<I"), "disk": (4, "<H"), "cd_disk": (6, "<H"), "n_disk": (8, "<H"),
             "n_total": (10, "<H"), "cd_size": (12, "<I"), "cd_offset": (16, "<I"),
             "comment_len": (20, "<H")},
    "central": {"sig": (0, "<I"), "flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"),
                "csize": (20, "<I"), "usize": (24, "<I"), "name_len": (28, "<H"),
                "extra_len": (30, "<H"), "local_offset": (42, "<I")},
    "local": {"sig": (0, "<I"), "flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"),
              "csize": (18, "<I"), "usize": (22, "<I"), "name_len": (26, "<H"),
              "extra_len": (28, "<H")},
}


def zip_records(data):
    """Offsets of the EOCD and of each entry's central and local header, by full name."""
    import struct
    eocd = data.rindex(b"PK\x05\x06")
    n, _, cd_offset = struct.unpack_from("<HII", data, eocd + 10)
    central, local = {}, {}
    pos = cd_offset
    for _ in range(n):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        name = data[pos + 46:pos + 46 + name_len].decode()
        central[name] = pos
        local[name] = struct.unpack_from("<I", data, pos + 42)[0]
        pos += 46 + name_len + extra_len + comment_len
    return eocd, central, local


def patch_zip(data, spec, root):
    import struct
    where, _, value = spec.partition("=")
    where, _, field = where.rpartition(".")
    kind, _, entry = where.partition(":")
    eocd, central, local = zip_records(data)
    base = eocd if kind == "eocd" else (central if kind == "central" else local)[root + entry]
    offset, fmt = ZIP_FIELDS[kind][field]
    data = bytearray(data)
    struct.pack_into(fmt, data, base + offset, int(value, 0))
    return bytes(data)


def data_offset(data, entry, root):
    """Where the entry's bytes start: after its local header, name and extra field."""
    import struct
    _, _, local = zip_records(data)
    at = local[root + entry]
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    return at + 30 + name_len + extra_len


def corrupt(data, spec, root):
    import struct
    entry, _, rest = spec.partition("@")
    offset, _, mask = rest.partition("^")
    offset = int(offset, 0)
    if offset < 0:  # from the end: the entry's size is in its central header
        _, central, _ = zip_records(data)
        offset += struct.unpack_from("<I", data, central[root + entry] + ZIP_FIELDS["central"]["usize"][0])[0]
    data = bytearray(data)
    data[data_offset(data, entry, root) + offset] ^= int(mask, 0)
    return bytes(data)


def zero_crcs(data):
    import struct
    _, central, local = zip_records(data)
    data = bytearray(data)
    for name in central:
        struct.pack_into("<I", data, central[name] + ZIP_FIELDS["central"]["crc"][0], 0)
        struct.pack_into("<I", data, local[name] + ZIP_FIELDS["local"]["crc"][0], 0)
    return bytes(data)


def load_entries(base):
    entries = {}
    if os.path.isdir(base):
        for root, _, files in os.walk(base):
            for f in files:
                path = os.path.join(root, f)
                entries[os.path.relpath(path, base)] = open(path, "rb").read()
    else:
        with zipfile.ZipFile(base) as z:
            names = z.namelist()
            root = names[0].split("/")[0] + "/"
            for n in names:
                entries[n[len(root):]] = z.read(n)
    return entries


def walk(doc, pointer):
    parts = [p for p in pointer.split("/") if p != ""]
    for p in parts[:-1]:
        doc = doc[int(p)] if isinstance(doc, list) else doc[p]
    last = parts[-1]
    return doc, (int(last) if isinstance(doc, list) else last)


def main(argv):
    out, base, args = argv[0], argv[1], argv[2:]
    entries = load_entries(base)
    as_zip, raw, compress, patches, root = False, False, set(), [], "archive/"
    i = 0
    while i < len(args):
        op = args[i]
        if op in ("--zip", "--raw", "--zero-crcs"):
            as_zip = True
            raw = raw or op == "--raw"
            if op == "--zero-crcs":
                patches.append((zero_crcs, None))
            i += 1
            continue
        arg = args[i + 1]
        i += 2
        if op in ("--set", "--delete"):
            file, _, rest = arg.partition(":")
            doc = json.loads(entries[FILES[file]])
            if op == "--set":
                pointer, _, value = rest.partition("=")
                parent, key = walk(doc, pointer)
                if isinstance(parent, list) and key == len(parent):
                    parent.append(json.loads(value))  # one past the end appends
                else:
                    parent[key] = json.loads(value)
            else:
                parent, key = walk(doc, rest)
                del parent[key]
            entries[FILES[file]] = json.dumps(doc).encode()
        elif op == "--text":
            file, _, text = arg.partition("=")
            entries[FILES[file]] = text.encode()
        elif op == "--text-from":
            file, _, path = arg.partition("=")
            entries[FILES[file]] = open(path, "rb").read()
        elif op == "--truncate":
            entry, _, n = arg.partition("=")
            entries[entry] = entries[entry][: int(n)]
        elif op == "--omit":
            del entries[arg]
        elif op == "--compress":
            compress.add(arg)
        elif op == "--flip":
            entry, _, rest = arg.partition("@")
            offset, _, mask = rest.partition("^")
            data = bytearray(entries[entry])
            data[int(offset, 0)] ^= int(mask, 0)
            entries[entry] = bytes(data)
        elif op == "--append":
            entry, _, text = arg.partition("=")
            entries[entry] = text.encode()
        elif op == "--patch-zip":
            patches.append((patch_zip, arg))
        elif op == "--corrupt":
            patches.append((corrupt, arg))
        elif op == "--zip-root":
            root = arg
        else:
            sys.exit("mutate.py: unknown edit " + op)
    if raw:
        shutil.copyfile(base, out)
        with zipfile.ZipFile(base) as z:
            root = z.namelist()[0].split("/")[0] + "/"
    elif as_zip:
        with zipfile.ZipFile(out, "w") as z:
            for name in sorted(entries):
                method = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
                z.writestr(root + name, entries[name], compress_type=method)
    if as_zip and patches:
        data = open(out, "rb").read()
        for edit, spec in patches:
            data = edit(data) if spec is None else edit(data, spec, root)
        open(out, "wb").write(data)
    if not as_zip:
        shutil.rmtree(out, ignore_errors=True)
        for name, data in entries.items():
            path = os.path.join(out, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "wb").write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
