"""Builds a test input from a base program by applying one or more edits.

    mutate.py OUT BASE [edits...]

BASE is an extracted archive directory (tests/lit/Inputs/mini) or a .pt2. OUT is a
directory (an extracted archive: OUT/models/model.json) or, with --zip, a .pt2 file.
Edits apply in order:
  --set FILE:/json/pointer=JSON    set a value (FILE is model or weights)
  --delete FILE:/json/pointer      delete a key or list element
  --text FILE=TEXT                 replace a JSON file by raw text
  --truncate ENTRY=N               keep only the first N bytes of an entry
  --omit ENTRY                     leave an entry out
  --zip                            write a zip archive instead of a directory
  --compress ENTRY                 (with --zip) deflate that entry
"""
import json, os, shutil, sys, zipfile

FILES = {"model": "models/model.json", "weights": "data/weights/model_weights_config.json"}


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
    as_zip, compress = False, set()
    i = 0
    while i < len(args):
        op = args[i]
        if op == "--zip":
            as_zip = True
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
                parent[key] = json.loads(value)
            else:
                parent, key = walk(doc, rest)
                del parent[key]
            entries[FILES[file]] = json.dumps(doc).encode()
        elif op == "--text":
            file, _, text = arg.partition("=")
            entries[FILES[file]] = text.encode()
        elif op == "--truncate":
            entry, _, n = arg.partition("=")
            entries[entry] = entries[entry][: int(n)]
        elif op == "--omit":
            del entries[arg]
        elif op == "--compress":
            compress.add(arg)
        else:
            sys.exit("mutate.py: unknown edit " + op)
    if as_zip:
        with zipfile.ZipFile(out, "w") as z:
            for name in sorted(entries):
                method = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
                z.writestr("archive/" + name, entries[name], compress_type=method)
    else:
        shutil.rmtree(out, ignore_errors=True)
        for name, data in entries.items():
            path = os.path.join(out, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "wb").write(data)


if __name__ == "__main__":
    main(sys.argv[1:])
