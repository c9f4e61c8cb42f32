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
"""
import argparse
import os
import sys

import numpy as np
import torch


def ulps(a, b):
    """Largest distance in units in the last place between two float arrays of one dtype."""
    if a.dtype != b.dtype or a.dtype.kind != "f":
        return None
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    ia, ib = a.view(bits).astype(np.int64), b.view(bits).astype(np.int64)
    # Map the sign-magnitude bit patterns onto a line where adjacent floats differ by 1.
    top = np.int64(1) << (8 * a.dtype.itemsize - 1)
    ia = np.where(ia < 0, -(ia & (top - 1)), ia)
    ib = np.where(ib < 0, -(ib & (top - 1)), ib)
    return int(np.abs(ia - ib).max()) if ia.size else 0


def as_numpy(t):
    if t.dtype == torch.bfloat16:
        return t.float().numpy()  # vkqc's .npy of bf16 values is f32 as well
    return t.detach().contiguous().numpy()


class Recorder(torch.fx.Interpreter):
    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}
        self.order = []

    def run_node(self, n):
        out = super().run_node(n)
        if n.op == "call_function" and isinstance(out, torch.Tensor):
            self.values[n.name] = out
            self.order.append(n)
        elif n.op == "call_function" and isinstance(out, (tuple, list)):
            for i, o in enumerate(out):
                if isinstance(o, torch.Tensor):
                    self.values[f"{n.name}_{i}"] = o
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("tokens")
    ap.add_argument("dumps")
    ap.add_argument("--atol-rel", type=float, default=1e-5)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--torchao-src", help="torchao's Python sources, for exports with torchao ops "
                                          "when torchao is not installed")
    args = ap.parse_args()
    if args.torchao_src:
        import transformers  # noqa: F401  (before torchao's sources: it probes torchao's version)
        sys.path.insert(0, args.torchao_src)
        import torchao
        torchao.__version__ = getattr(torchao, "__version__", "0.19.0")
        import torchao.quantization.quant_primitives  # noqa: F401  (registers torch.ops.torchao)

    torch.set_num_threads(1)  # PyTorch's CPU results do not depend on it; one is simplest
    ep = torch.export.load(args.model)
    tokens = torch.from_numpy(np.load(args.tokens))
    rec = Recorder(ep.module())
    with torch.no_grad():
        rec.run(tokens)

    exact = {}  # node name -> bit-identical
    first_inexact = first_beyond = None
    compared = 0
    for n in rec.order:
        path = os.path.join(args.dumps, n.name + ".npy")
        if not os.path.exists(path):
            continue
        mine = np.load(path)
        ref = as_numpy(rec.values[n.name])
        if mine.shape != ref.shape:
            print(f"{n.name} ({n.target}): shape {mine.shape} != torch {ref.shape}")
            exact[n.name] = False
            continue
        compared += 1
        same = mine.dtype == ref.dtype and np.array_equal(mine.view(np.uint8), ref.view(np.uint8))
        exact[n.name] = same
        diff = np.abs(mine.astype(np.float64) - ref.astype(np.float64))
        scale = float(np.abs(ref.astype(np.float64)).max()) if ref.size else 0.0
        beyond = bool(diff.size and diff.max() > args.atol_rel * max(scale, 1e-30))
        line = (f"{n.name} ({n.target}): {'identical' if same else 'differs'}"
                f"{'' if same else f' in {int((diff > 0).sum())} of {diff.size}, max |diff| {diff.max():.3e} of max |torch| {scale:.3e}, {ulps(mine, ref)} ulp'}")
        inputs = [a.name for a in n.all_input_nodes if a.name in exact]
        line += "; inputs: " + (", ".join(f"{a} {'identical' if exact[a] else 'differs'}" for a in inputs) or "none compared")
        if args.all:
            print(line)
        if not same and first_inexact is None:
            first_inexact = line
        if beyond and first_beyond is None:
            first_beyond = line
    print(f"compared {compared} nodes")
    print("first not bit-identical:", first_inexact or "none")
    print(f"first beyond {args.atol_rel} of max |torch|:", first_beyond or "none")
    return 0 if first_beyond is None else 1


if __name__ == "__main__":
    sys.exit(main())
