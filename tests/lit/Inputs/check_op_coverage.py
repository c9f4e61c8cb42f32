"""check_op_coverage.py OPS_DIR OPS_LIST: every op target torch.export wrote for the decoder
family and Int4Tensor exports (NAME.ops.json: before and after run_decompositions({})) has a
row in vkqc's op table (`vkqc ops` output in OPS_LIST). KV-cache programs (*_kv_*) are not
counted yet: their in-place cache updates are the KV-cache issue's."""
import glob, json, os, sys

# Not ops of the table: getitem is folded into a node's results on import, and a torchao
# tensor subclass left in the graph is refused with the fix (run_decompositions).
HANDLED = {"<built-in function getitem>": "folded into multi-result nodes",
           "export.access_subclass_inner_tensor.default": "refused: call ep.run_decompositions({})"}

known = {line.split()[0] for line in open(sys.argv[2]) if line.strip()}
missing = {}
files = [f for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.ops.json"))) if "_kv_" not in f]
for f in files:
    d = json.load(open(f))
    for form in ("before", "after"):
        for op in d[form]:
            if op not in known and op not in HANDLED:
                missing.setdefault(op, []).append(os.path.basename(f) + ":" + form)
for op, where in sorted(missing.items()):
    print(f"missing: {op} ({', '.join(where[:3])}{' ...' if len(where) > 3 else ''})")
print(f"{len(files)} exports, {len(missing)} ops missing from the op table")
sys.exit(1 if missing else 0)
