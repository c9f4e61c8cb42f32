"""Makes the extra real torch.export programs in tests/data (beyond the shared corpus).

Run on a machine with PyTorch >= 2.11 and transformers, with torchao's pure-Python sources
(pytorch/ao, the torchao/ folder without csrc/) on a path given as TORCHAO_SRC:

    TORCHAO_SRC=/path/to/ao python3 make_exports.py OUT_DIR

For each variant it writes NAME.pt2 (what torch.export.save wrote), NAME.tokens.npy (the
int64 [1, 7] input) and NAME.logits.npy (what the exported program computed for it in
PyTorch: the ground truth). The recipe follows the shared corpus README: random-init
LlamaForCausalLM, sdpa attention, torchao quantize_, export with a dynamic sequence length
(Dim.AUTO, 2..64), run_decompositions({}), save.
"""
import os
import sys

import numpy as np
import torch
import transformers  # before torchao's sources: transformers probes torchao's version

sys.path.insert(0, os.environ["TORCHAO_SRC"])
import torchao  # noqa: E402

# A source copy has no installed metadata; transformers parses this version.
torchao.__version__ = "0.19.0"
from torchao.quantization import quantize_  # noqa: E402
from torchao.quantization.granularity import PerGroup  # noqa: E402
from torchao.quantization.quant_api import (  # noqa: E402
    Int8DynamicActivationIntxWeightConfig,
    IntxWeightOnlyConfig,
)
from torchao.quantization.quant_primitives import MappingType  # noqa: E402


class LogitsOnly(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        return self.m(input_ids=input_ids, use_cache=False).logits


def llama(vocab, dim, ffn, layers, heads, kv_heads, tied, dtype):
    cfg = transformers.LlamaConfig(
        vocab_size=vocab, hidden_size=dim, intermediate_size=ffn, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=128,
        tie_word_embeddings=False, attn_implementation="sdpa")
    torch.manual_seed(vocab * 7 + dim)
    model = transformers.LlamaForCausalLM(cfg).eval().to(dtype)
    return model


def is_embedding(m, fqn):
    return isinstance(m, torch.nn.Embedding)


def is_linear_not_head(m, fqn):
    return isinstance(m, torch.nn.Linear) and not fqn.endswith("lm_head")


def quantize(model, linear_config, group, tied, embedding_mapping=MappingType.SYMMETRIC):
    quantize_(model, IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(group),
                                          mapping_type=embedding_mapping), filter_fn=is_embedding)
    if tied:
        model.lm_head.weight = model.model.embed_tokens.weight
        quantize_(model, linear_config, filter_fn=is_linear_not_head)
    else:
        quantize_(model, linear_config,
                  filter_fn=lambda m, fqn: isinstance(m, torch.nn.Linear))


def w8da4(group):
    return Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int4,
                                                 weight_granularity=PerGroup(group))


def w4(group, mapping=MappingType.SYMMETRIC):
    return IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(group),
                                mapping_type=mapping)


# ---- the legacy ExecuTorch 4-bit embedding op, registered here as ExecuTorch does -------
_lib = torch.library.Library("quantized_decomposed", "FRAGMENT")
_lib.define("embedding_4bit.dtype(Tensor weight, Tensor weight_scales, Tensor? weight_zero_points, "
            "int weight_quant_min, int weight_quant_max, Tensor indices, *, ScalarType? dtype=None) -> Tensor")


def _embedding_4bit_dtype(weight, scales, zero_points, qmin, qmax, indices, dtype=None):
    hi = (weight.to(torch.int32) >> 4) - 8  # even element in the high nibble, stored q + 8
    lo = (weight.to(torch.int32) & 0xF) - 8
    q = torch.stack([hi, lo], dim=-1).reshape(weight.shape[0], -1)
    groups = scales.shape[1] if scales.dim() == 2 else 1
    s = scales.reshape(scales.shape[0], groups, 1)
    table = (q.reshape(q.shape[0], groups, -1).to(s.dtype) * s).reshape(q.shape[0], -1)
    return torch.nn.functional.embedding(indices, table.to(dtype or scales.dtype))


_lib.impl("embedding_4bit.dtype", _embedding_4bit_dtype, "CompositeExplicitAutograd")


@torch.library.register_fake("quantized_decomposed::embedding_4bit.dtype")
def _embedding_4bit_fake(weight, scales, zero_points, qmin, qmax, indices, dtype=None):
    return torch.empty(*indices.shape, weight.shape[1] * 2, dtype=dtype or scales.dtype)


class LegacyQuantEmbedding(torch.nn.Module):
    """ExecuTorch's QuantizedGroupEmbedding layout: packed uint8 [V, D/2], scales [V, G]."""

    def __init__(self, emb, group):
        super().__init__()
        w = emb.weight.detach().float()
        V, D = w.shape
        wg = w.reshape(V, D // group, group)
        scales = (wg.abs().amax(dim=-1) / 7.5).clamp(min=torch.finfo(torch.float32).smallest_normal)
        q = torch.clamp(torch.round(wg / scales[..., None]), -8, 7).to(torch.int32).reshape(V, D)
        packed = ((q[:, 0::2] + 8) << 4) | (q[:, 1::2] + 8)
        self.register_buffer("weight", packed.to(torch.uint8))
        self.register_buffer("scales", scales.to(emb.weight.dtype))
        self.dtype = emb.weight.dtype

    def forward(self, indices):
        return torch.ops.quantized_decomposed.embedding_4bit.dtype(
            self.weight, self.scales, None, -8, 7, indices, dtype=self.dtype)


def export(name, model, out_dir, vocab):
    wrapped = LogitsOnly(model).eval()
    torch.manual_seed(1234)
    tokens = torch.randint(0, vocab, (1, 7), dtype=torch.int64)
    with torch.no_grad():
        ep = torch.export.export(wrapped, (tokens,), dynamic_shapes={"input_ids": {1: torch.export.Dim.AUTO(min=2, max=64)}}, strict=False)
        ep = ep.run_decompositions({})
        logits = ep.module()(tokens)
    torch.export.save(ep, os.path.join(out_dir, name + ".pt2"))
    np.save(os.path.join(out_dir, name + ".tokens.npy"), tokens.numpy())
    np.save(os.path.join(out_dir, name + ".logits.npy"), logits.float().numpy())
    print(name, "ok", tuple(logits.shape), flush=True)


def export_graph_only(name, model, out_dir, max_seq):
    """Saves the archive, then keeps only its graph: model.json, the payload configs and
    archive_sizes.json (byte size of every entry), like the shared 1B corpus entry."""
    import json
    import tarfile
    import zipfile
    wrapped = LogitsOnly(model).eval()
    tokens = torch.randint(0, 1000, (1, 7), dtype=torch.int64)
    with torch.no_grad():
        ep = torch.export.export(wrapped, (tokens,), dynamic_shapes={"input_ids": {1: torch.export.Dim.AUTO(min=2, max=max_seq)}}, strict=False)
        ep = ep.run_decompositions({})
    pt2 = os.path.join(out_dir, name + ".pt2")
    torch.export.save(ep, pt2)
    with zipfile.ZipFile(pt2) as z:
        sizes = {i.filename: i.file_size for i in z.infolist()}
        keep = [n for n in z.namelist() if n.endswith(".json") or "/data/" not in n]
        root = os.path.join(out_dir, name)
        for n in keep:
            z.extract(n, out_dir)
    with open(os.path.join(out_dir, name, "archive_sizes.json"), "w") as f:
        json.dump(sizes, f, indent=0)
    os.remove(pt2)
    with tarfile.open(os.path.join(out_dir, name + ".graph.tar.gz"), "w:gz") as t:
        t.add(os.path.join(out_dir, name), arcname=name)
    print(name, "graph ok", sum(sizes.values()), "bytes", flush=True)


def llama1b_layers(layers):
    """Llama-3.2-1B shape with `layers` layers, tied, 8da4w, group 32 (the corpus recipe)."""
    m = llama(128256, 2048, 8192, layers, 32, 8, True, torch.float32)
    quantize(m, w8da4(32), 32, True)
    return m


def main(out_dir):
    if sys.argv[2:3] == ["--llama1b-graph"]:
        layers = int(sys.argv[3])
        os.makedirs(out_dir, exist_ok=True)
        export_graph_only(f"llama1b_{layers}layer_8da4w_fp32", llama1b_layers(layers), out_dir, 2048)
        return
    os.makedirs(out_dir, exist_ok=True)
    variants = []

    # Group size 64, other widths, 8da4w, fp32.
    def g64():
        m = llama(384, 192, 384, 2, 6, 2, False, torch.float32)
        quantize(m, w8da4(64), 64, False)
        return m, 384
    variants.append(("llama_g64_8da4w_fp32", g64))

    # Group size 128, weight-only, fp16 checkpoint.
    def g128_fp16():
        m = llama(256, 256, 512, 2, 4, 4, False, torch.float16)
        quantize(m, w4(128), 128, False)
        return m, 256
    variants.append(("llama_g128_4w_fp16", g128_fp16))

    # Tied embedding / lm-head in bf16.
    def tied_bf16():
        m = llama(512, 128, 256, 2, 4, 2, True, torch.bfloat16)
        quantize(m, w8da4(32), 32, True)
        return m, 512
    variants.append(("llama_tied_8da4w_bf16", tied_bf16))

    # Widths the kernels cannot take: embedding width 48 (not % 32), vocab 250 (not % 4).
    def odd():
        m = llama(250, 48, 96, 1, 3, 1, False, torch.float32)
        quantize(m, w8da4(16), 16, False)
        return m, 250
    variants.append(("llama_oddwidth_8da4w_fp32", odd))

    # Asymmetric int4 weights: non-zero zero points (must not be fused as symmetric).
    def asym():
        m = llama(256, 128, 256, 1, 4, 2, False, torch.float32)
        quantize(m, w4(32, MappingType.ASYMMETRIC), 32, False, MappingType.ASYMMETRIC)
        return m, 256
    variants.append(("llama_asym_4w_fp32", asym))

    # Legacy ExecuTorch embedding_4bit.dtype embedding + 8da4w linears.
    def legacy():
        m = llama(256, 128, 256, 1, 4, 2, False, torch.float32)
        quantize_(m, w8da4(32), filter_fn=lambda mod, fqn: isinstance(mod, torch.nn.Linear))
        m.model.embed_tokens = LegacyQuantEmbedding(m.model.embed_tokens, 32)
        return m, 256
    variants.append(("llama_legacy_embedding_8da4w_fp32", legacy))

    # Legacy torchao module quantizer: float zero points, per-token eps = finfo(f32).eps.
    def legacy_linear():
        from torchao.quantization.linear_quant_modules import Int8DynActInt4WeightQuantizer
        m = llama(256, 128, 256, 1, 4, 2, False, torch.float32)
        m = Int8DynActInt4WeightQuantizer(groupsize=32, precision=torch.float32).quantize(m)
        return m, 256
    variants.append(("llama_legacy_linear_8da4w_fp32", legacy_linear))

    only = set(sys.argv[2:])
    for name, make in variants:
        if only and name not in only:
            continue
        try:
            model, vocab = make()
            export(name, model, out_dir, vocab)
        except Exception:  # keep going: report which variant failed and why
            import traceback
            print(name, "FAILED", traceback.format_exc()[-3000:], flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
