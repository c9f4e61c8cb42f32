#!/usr/bin/env python3
"""Finds the first node where vkqc's reference interpreter and PyTorch part ways.

Run where PyTorch is (the export's own torch version):

    vkqc run MODEL.pt2 --compile-to=import --input tokens.npy -o out.npy --dump-values DIR
    python3 tools/compare_with_torch.py MODEL.pt2 tokens.npy DIR [--atol-rel 1e-5] [--all]

It runs the saved program in PyTorch node by node (torch.fx.Interpreter over
ep.module(), CPU), and compares every node value vkqc dumped (DIR/<node>.npy, the node's
name in the export) with PyTorch's. It prints the first node whose value is not bit-identical
and the first that differs beyond the tolerance (max |diff| > atol_rel * max |torch|), each
with its target, how many elements differ, the largest difference in units in the last
place, and whether each of its inputs was still bit-identical. --all prints every node.

PyTorch's values can be kept and compared later where PyTorch is not installed (numpy only):

    python3 tools/compare_with_torch.py MODEL.pt2 tokens.npy --save-reference ref.npz   # with torch
    python3 tools/compare_with_torch.py --reference ref.npz DIR [--all]                 # anywhere
"""
import argparse
import json
import os
import sys

import numpy as np


def ulps(a, b):
    """Largest distance in units in the last place between two float arrays of one dtype."""
    if a.dtype != b.dtype or a.dtype.kind != "f":
        return None
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    a, b = a.reshape(-1), b.reshape(-1)  # a 0-d array cannot be viewed as another dtype
    ia, ib = a.view(bits).astype(np.int64), b.view(bits).astype(np.int64)
    # Map the sign-magnitude bit patterns onto a line where adjacent floats differ by 1.
    top = np.int64(1) << (8 * a.dtype.itemsize - 1)
    ia = np.where(ia < 0, -(ia & (top - 1)), ia)
    ib = np.where(ib < 0, -(ib & (top - 1)), ib)
    return int(np.abs(ia - ib).max()) if ia.size else 0


class Reference:
    """PyTorch's value of every call_function node, in execution order, with each node's
    target and the names of the nodes it reads."""

    def __init__(self, order, values):
        self.order = order  # [(name, target, [input names])]
        self.values = values  # name -> numpy array

    @staticmethod
    def from_torch(model, tokens, torchao_src):
        import torch
        if torchao_src:
            import transformers  # noqa: F401  (before torchao's sources: it probes torchao's version)
            sys.path.insert(0, torchao_src)
            import torchao
            torchao.__version__ = getattr(torchao, "__version__", "0.19.0")
            import torchao.quantization.quant_primitives  # noqa: F401  (registers torch.ops.torchao)

        def as_numpy(t):
            if t.dtype == torch.bfloat16:
                return t.float().numpy()  # vkqc's .npy of bf16 values is f32 as well
            return t.detach().contiguous().numpy()

        order, values = [], {}

        class Recorder(torch.fx.Interpreter):
            def run_node(self, n):
                out = super().run_node(n)
                if n.op != "call_function":
                    return out
                inputs = [a.name for a in n.all_input_nodes]
                if isinstance(out, torch.Tensor):
                    values[n.name] = as_numpy(out)
                    order.append((n.name, str(n.target), inputs))
                elif isinstance(out, (tuple, list)):
                    for i, o in enumerate(out):
                        if isinstance(o, torch.Tensor):
                            values[f"{n.name}_{i}"] = as_numpy(o)
                return out

        torch.set_num_threads(1)  # PyTorch's CPU results do not depend on it; one is simplest
        ep = torch.export.load(model)
        with torch.no_grad():
            Recorder(ep.module()).run(torch.from_numpy(np.load(tokens)))
        return Reference(order, values)

    def save(self, path):
        np.savez_compressed(path, __order__=np.array(json.dumps(self.order)), **self.values)

    @staticmethod
    def load(path):
        with np.load(path) as z:
            values = {k: z[k] for k in z.files if k != "__order__"}
            return Reference(json.loads(str(z["__order__"])), values)


def compare(ref, dumps, atol_rel, show_all):
    exact = {}  # node name -> bit-identical
    first_inexact = first_beyond = None
    compared = 0
    for name, target, inputs in ref.order:
        path = os.path.join(dumps, name + ".npy")
        if not os.path.exists(path):
            continue
        mine, theirs = np.load(path), ref.values[name]
        if mine.shape != theirs.shape:
            print(f"{name} ({target}): shape {mine.shape} != torch {theirs.shape}")
            exact[name] = False
            continue
        compared += 1
        same = mine.dtype == theirs.dtype and np.array_equal(mine.reshape(-1).view(np.uint8), theirs.reshape(-1).view(np.uint8))
        exact[name] = same
        diff = np.abs(mine.astype(np.float64) - theirs.astype(np.float64))
        scale = float(np.abs(theirs.astype(np.float64)).max()) if theirs.size else 0.0
        beyond = bool(diff.size and diff.max() > atol_rel * max(scale, 1e-30))
        line = f"{name} ({target}): {'identical' if same else 'differs'}"
        if not same:
            line += (f" in {int((diff > 0).sum())} of {diff.size}, max |diff| {diff.max():.3e}"
                     f" of max |torch| {scale:.3e}, {ulps(mine, theirs)} ulp")
        compared_inputs = [a for a in inputs if a in exact]
        line += "; inputs: " + (", ".join(f"{a} {'identical' if exact[a] else 'differs'}"
                                         for a in compared_inputs) or "none compared")
        if show_all:
            print(line)
        if not same and first_inexact is None:
            first_inexact = line
        if beyond and first_beyond is None:
            first_beyond = line
    print(f"compared {compared} nodes")
    print("first not bit-identical:", first_inexact or "none")
    print(f"first beyond {atol_rel} of max |torch|:", first_beyond or "none")
    return 0 if first_beyond is None else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", metavar="MODEL TOKENS DIR | DIR",
                    help="the export, its input and vkqc's dump folder; with --reference, the dump folder alone")
    ap.add_argument("--atol-rel", type=float, default=1e-5)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--torchao-src", help="torchao's Python sources, for exports with torchao ops "
                                          "when torchao is not installed")
    ap.add_argument("--save-reference", metavar="FILE.npz",
                    help="write PyTorch's node values to FILE.npz (DIR may then be left out)")
    ap.add_argument("--reference", metavar="FILE.npz",
                    help="compare against values --save-reference wrote, without PyTorch")
    args = ap.parse_args()

    if args.reference:
        if len(args.paths) != 1:
            ap.error("with --reference, give only vkqc's dump folder")
        ref, dumps = Reference.load(args.reference), args.paths[0]
    else:
        if len(args.paths) not in (2, 3) or (len(args.paths) == 2 and not args.save_reference):
            ap.error("give MODEL TOKENS DIR (DIR may be left out with --save-reference)")
        ref = Reference.from_torch(args.paths[0], args.paths[1], args.torchao_src)
        dumps = args.paths[2] if len(args.paths) == 3 else None
    if args.save_reference:
        ref.save(args.save_reference)
        print(f"saved {len(ref.values)} values to {args.save_reference}")
    return compare(ref, dumps, args.atol_rel, args.all) if dumps else 0


if __name__ == "__main__":
    sys.exit(main())
