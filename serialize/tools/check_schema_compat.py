#!/usr/bin/env python3
"""Compare vkqc's .fbs schemas with ExecuTorch's, field by field.

Usage: check_schema_compat.py OUR.fbs UPSTREAM.fbs [OUR2.fbs UPSTREAM2.fbs ...]

The upstream files are not part of this repository: extract them from an
ExecuTorch checkout first, e.g.
  git -C executorch show main:schema/program.fbs > /tmp/up/program.fbs
What is compared is what the wire format depends on: namespace, file
identifier, root type, every table's fields in declaration order with their
types and defaults, every enum's underlying type and values, every union's
member order. Comments, spacing and attributes other than force_align are
ignored. Exits 1 and prints the differences when the schemas disagree.
"""
import re
import sys


def strip_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def parse_schema(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    schema = {"tables": {}, "enums": {}, "unions": {}, "meta": {}}
    for key in ("namespace", "file_identifier", "root_type"):
        match = re.search(key + r"\s+([^;]+);", text)
        schema["meta"][key] = match.group(1).strip() if match else None
    for kind, name, body in re.findall(r"\b(table|struct)\s+(\w+)\s*\{([^}]*)\}", text):
        fields = []
        for decl in body.split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            match = re.match(r"(\w+)\s*:\s*([\w\[\]\.]+)\s*(?:=\s*([\w\.\-]+))?\s*(\(.*\))?$", decl)
            if not match:
                raise SystemExit(f"{path}: cannot parse field '{decl}' of {name}")
            field, ftype, default, attrs = match.groups()
            align = re.search(r"force_align\s*:\s*(\d+)", attrs or "")
            fields.append((field, ftype, default, align.group(1) if align else None))
        schema["tables"][name] = (kind, fields)
    for name, base, body in re.findall(r"\benum\s+(\w+)\s*:\s*(\w+)\s*\{([^}]*)\}", text):
        values, next_value = [], 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            label, _, value = (part.strip() for part in item.partition("="))
            next_value = int(value) if value else next_value
            values.append((label, next_value))
            next_value += 1
        schema["enums"][name] = (base, values)
    for name, body in re.findall(r"\bunion\s+(\w+)\s*\{([^}]*)\}", text):
        schema["unions"][name] = [m.strip() for m in body.split(",") if m.strip()]
    return schema


def compare(ours_path, theirs_path):
    ours, theirs = parse_schema(ours_path), parse_schema(theirs_path)
    problems = []
    for section in ("meta", "tables", "enums", "unions"):
        for name in sorted(set(ours[section]) | set(theirs[section])):
            a, b = ours[section].get(name), theirs[section].get(name)
            if a != b:
                problems.append(f"{section} {name}:\n  ours:     {a}\n  upstream: {b}")
    counts = {s: len(theirs[s]) for s in ("tables", "enums", "unions")}
    print(f"{ours_path} vs {theirs_path}: {counts}, "
          f"{'OK' if not problems else str(len(problems)) + ' difference(s)'}")
    for problem in problems:
        print(problem)
    return not problems


def main(argv):
    if len(argv) < 3 or len(argv) % 2 != 1:
        raise SystemExit(__doc__)
    pairs = zip(argv[1::2], argv[2::2])
    results = [compare(ours, theirs) for ours, theirs in pairs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
