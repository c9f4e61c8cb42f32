"""Runs a command that must refuse its input cleanly, and checks the error contract.

    check_error.py [--input PATH]... [--no-output PATH]... [--timeout S] -- COMMAND...

Checks: the command ends within S seconds (default 5: a hang check, not the 1 s latency
figure, which scripts/fuzz.sh measures on an unloaded machine); its exit status is exactly
1 (a crash, a sanitizer report or a signal is not a refusal); stderr is exactly one line,
`vkqc: error: <file>: <where>: <what>` (`<file>:<line>:<column>: <what>` for .vkir text),
and stdout is empty; every --no-output PATH is absent afterwards (with nothing beside it
named PATH.* left behind: temporary files); every --input PATH (file or directory tree,
symlinks compared as links) is byte-for-byte unchanged. On success it prints the error
line on stdout for FileCheck; on failure it says what broke and exits 1.
"""
import hashlib, os, re, subprocess, sys


def digest(path):
    h = hashlib.sha256()
    if os.path.islink(path):
        h.update(b"L" + os.readlink(path).encode())
    elif os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            h.update(b"D" + name.encode() + digest(os.path.join(path, name)).encode())
    elif os.path.exists(path):
        with open(path, "rb") as f:
            h.update(b"F" + f.read())
        h.update(b"M%o" % (os.stat(path).st_mode & 0o7777))
    else:
        h.update(b"absent")
    return h.hexdigest()


def main(argv):
    inputs, outputs, timeout = [], [], 5.0
    i = 0
    while argv[i] != "--":
        if argv[i] == "--input":
            inputs.append(argv[i + 1])
        elif argv[i] == "--no-output":
            outputs.append(argv[i + 1])
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
        else:
            sys.exit("check_error.py: unknown option " + argv[i])
        i += 2
    cmd = argv[i + 1:]
    before = {p: digest(p) for p in inputs}
    problems = []
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit("check_error.py: %s did not finish within %g s" % (cmd[0], timeout))
    err = r.stderr.decode("utf-8", "replace")
    lines = err.splitlines()
    if r.returncode != 1:
        problems.append("exit status %d, expected 1" % r.returncode)
    if len(lines) != 1 or not err.endswith("\n"):
        problems.append("stderr has %d lines, expected exactly one" % len(lines))
    elif not re.match(r"^vkqc: error: ([^:]+: .+|[^:]+:[0-9]+:[0-9]+): .+$", lines[0]):
        problems.append("stderr line is not 'vkqc: error: <file>: <where>: <what>' "
                        "(or, in text, <file>:<line>:<column>: <what>)")
    if r.stdout:
        problems.append("stdout is not empty")
    for p in outputs:
        if os.path.lexists(p):
            problems.append("output %s was written" % p)
        d, base = os.path.split(p)
        if os.path.isdir(d or "."):
            left = [n for n in os.listdir(d or ".") if n.startswith(base + ".")]
            if left:
                problems.append("temporary files left beside %s: %s" % (p, left))
    for p in inputs:
        if digest(p) != before[p]:
            problems.append("input %s changed" % p)
    if problems:
        sys.stderr.write("check_error.py: %s\n  stderr was:\n%s" % ("; ".join(problems), err))
        sys.exit(1)
    sys.stdout.write(lines[0] + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
