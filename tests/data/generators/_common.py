"""Shared helpers for the export scripts (families, Int4Tensor, KV cache).

Import order matters: transformers first (it probes torchao's installed version, which a source
copy lacks), then torchao's pure-Python sources from TORCHAO_SRC (default: ../.torchao).
"""
import json
import os
import sys
import time
import traceback
import zipfile

import numpy as np
import torch
import transformers  # noqa: F401  (before torchao's sources)
import transformers.modeling_utils  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
TORCHAO_SRC = os.environ.get("TORCHAO_SRC", os.path.join(HERE, "..", "..", "..", ".torchao"))


def setup_torchao():
    if TORCHAO_SRC not in sys.path:
        sys.path.insert(0, TORCHAO_SRC)
    import torchao
    torchao.__version__ = "0.19.0"  # a source copy has no metadata; transformers parses this
    return torchao


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def log_exc(name):
    log(name, "FAILED\n" + traceback.format_exc()[-6000:])


def op_targets(ep):
    return sorted({str(n.target) for n in ep.graph.nodes if n.op == "call_function"})


def _int_or_str(v):
    try:
        return int(v)
    except Exception:  # noqa: BLE001  (infinite bounds)
        return str(v)


def seq_ranges(ep):
    out = {}
    for sym, vr in ep.range_constraints.items():
        out[str(sym)] = [_int_or_str(vr.lower), _int_or_str(vr.upper)]
    return out


def input_shapes(ep):
    res = []
    for n in ep.graph.nodes:
        if n.op == "placeholder":
            v = n.meta.get("val")
            if isinstance(v, torch.Tensor):
                res.append([n.name, str(v.dtype), [str(s) for s in v.shape]])
    return res


def is_embedding(m, fqn):
    return isinstance(m, torch.nn.Embedding)


def is_linear(m, fqn):
    return isinstance(m, torch.nn.Linear)


def is_linear_not_head(m, fqn):
    return isinstance(m, torch.nn.Linear) and not fqn.endswith("lm_head")


def quant_configs():
    setup_torchao()
    from torchao.quantization.granularity import PerGroup
    from torchao.quantization.quant_api import (
        Int8DynamicActivationIntxWeightConfig,
        IntxWeightOnlyConfig,
    )

    def w8da4(group):
        return Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int4,
                                                     weight_granularity=PerGroup(group))

    def w4(group):
        return IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(group))

    return {"8da4w": w8da4, "4w": w4}


def quantize_model(model, quant, group, tied, emb_group=32):
    """The shared corpus recipe: 4w embedding (PerGroup(emb_group)); tied: lm_head re-tied to the
    quantized table and left out of the linear pass; untied: every linear incl. lm_head."""
    setup_torchao()
    from torchao.quantization import quantize_
    cfgs = quant_configs()
    quantize_(model, cfgs["4w"](emb_group), filter_fn=is_embedding)
    if tied:
        model.lm_head.weight = model.get_input_embeddings().weight
        quantize_(model, cfgs[quant](group), filter_fn=is_linear_not_head)
    else:
        quantize_(model, cfgs[quant](group), filter_fn=is_linear)
    return model


class LogitsOnly(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m(input_ids=input_ids, use_cache=False).logits


def pt2_size(path):
    return os.path.getsize(path)


def archive_entries(path):
    with zipfile.ZipFile(path) as z:
        return len(z.namelist())


def save_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, default=str)


def export_logits_program(name, wrapped, tokens, out_dir, seq_min, seq_max, meta):
    """export -> run_decompositions({}) -> save -> load -> logits of the saved program.
    Writes NAME.pt2, NAME.tokens.npy, NAME.logits.npy, NAME.ops.json, NAME.meta.json."""
    t0 = time.time()
    wrapped = wrapped.eval()
    with torch.no_grad():
        eager = wrapped(tokens).float()
        ep0 = None
        errs = []
        for dyn in (torch.export.Dim.AUTO(min=seq_min, max=seq_max),
                    torch.export.Dim("seq", min=seq_min, max=seq_max)):
            try:
                ep0 = torch.export.export(wrapped, (tokens,), dynamic_shapes={"input_ids": {1: dyn}},
                                          strict=False)
                break
            except Exception as e:  # noqa: BLE001
                errs.append(repr(e)[:2000])
                log(name, "export attempt failed:", repr(e)[:600])
        if ep0 is None:
            raise RuntimeError("export failed: " + " | ".join(errs))
        before = op_targets(ep0)
        ep = ep0.run_decompositions({})
        after = op_targets(ep)
        inmem = ep.module()(tokens).float()
        path = os.path.join(out_dir, name + ".pt2")
        torch.export.save(ep, path)
        loaded = torch.export.load(path)
        logits = loaded.module()(tokens).float()
    np.save(os.path.join(out_dir, name + ".tokens.npy"), tokens.numpy())
    np.save(os.path.join(out_dir, name + ".logits.npy"), logits.numpy())
    save_json(os.path.join(out_dir, name + ".ops.json"), {"before": before, "after": after})
    meta = dict(meta)
    meta.update(
        name=name, pt2_bytes=pt2_size(path), tokens_shape=list(tokens.shape),
        logits_shape=list(logits.shape), seq_ranges=seq_ranges(ep), inputs=input_shapes(ep),
        max_abs_diff_saved_vs_eager=float((logits - eager).abs().max()),
        max_abs_diff_saved_vs_inmemory=float((logits - inmem).abs().max()),
        logits_absmax=float(logits.abs().max()), n_nodes=len(ep.graph.nodes),
        torch=torch.__version__, transformers=transformers.__version__,
        seconds=round(time.time() - t0, 1))
    save_json(os.path.join(out_dir, name + ".meta.json"), meta)
    log(name, "ok", json.dumps({k: meta[k] for k in ("pt2_bytes", "seq_ranges", "logits_shape",
                                                     "max_abs_diff_saved_vs_eager", "seconds")}))
    return meta
