"""Int4Tensor torch.export programs (vkqc issue 19): an extended copy of the shared corpus's
gen_int4tensor.py (same mslk op registration and reference math, same build recipe).

    python3 gen_int4tensor_v2.py OUT_DIR [--cases a,b]

Llamas (bf16, untied) whose linears are torchao Int4Tensor (Int4WeightOnlyConfig v2, PLAIN):
`mslk.bf16i4bf16_rowwise` in the graph. Cases: group 64, group 128, lm-head quantized vs lm-head
left bf16, bf16 (unquantized) embedding, 150-token prompt. Writes NAME.pt2 (after
run_decompositions({})), NAME.tokens.npy, NAME.logits.npy (the SAVED program's output),
NAME.ops.json ({"before", "after"}), NAME.meta.json.

torchao's Int4Tensor quantizes with MSLK's Python helpers (mslk.quantize.shuffle, carried in
mslk_shim/) and runs linear as torch.ops.mslk.bf16i4bf16_rowwise, a CUDA kernel that is not
installable there. That op is registered below under MSLK's schema with a reference implementation
of its documented math (w = q_signed * scale + zero, q from int8 [N, K/2], low nibble = even k).
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _common as C  # noqa: E402  (imports transformers before torchao)
from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

sys.path.insert(0, os.environ.get("MSLK_SHIM", os.path.join(HERE, "mslk_shim")))  # MSLK's own quantize/shuffle.py; the rest are empty

lib = torch.library.Library("mslk", "DEF")
lib.define("bf16i4bf16_rowwise(Tensor X, Tensor W, Tensor w_scale_group, Tensor w_zero_group) -> Tensor")


def _unpack(W):  # int8 [N, K/2] -> int8 [N, K] signed int4 values
    lo = (W & 0xF).to(torch.int16)
    lo = torch.where(lo >= 8, lo - 16, lo)
    hi = (W >> 4).to(torch.int16)  # arithmetic shift keeps the sign
    return torch.stack([lo, hi], dim=-1).reshape(W.shape[0], -1)


def ref_impl(X, W, s, z):
    q = _unpack(W).float()  # [N, K]
    G = s.shape[0]
    gs = q.shape[1] // G
    w = q.reshape(q.shape[0], G, gs) * s.t().float().unsqueeze(-1) + z.t().float().unsqueeze(-1)
    return (X.float() @ w.reshape(q.shape[0], -1).t()).to(torch.bfloat16)


lib.impl("bf16i4bf16_rowwise", ref_impl, "CPU")


@torch.library.register_fake("mslk::bf16i4bf16_rowwise")
def _fake(X, W, s, z):
    return X.new_empty((X.shape[0], W.shape[0]), dtype=torch.bfloat16)


C.setup_torchao()
from torchao.quantization import Int4WeightOnlyConfig, IntxWeightOnlyConfig, quantize_  # noqa: E402
from torchao.quantization.granularity import PerGroup  # noqa: E402


def build(dims, group, seed, emb_int4=True, lm_head_int4=True):
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=dims["vocab"], hidden_size=dims["dim"], intermediate_size=dims["ffn"],
                      num_hidden_layers=dims["layers"], num_attention_heads=dims["heads"],
                      num_key_value_heads=dims["kv_heads"], max_position_embeddings=512, tie_word_embeddings=False,
                      rope_theta=500000.0, attn_implementation="sdpa")
    m = LlamaForCausalLM(cfg).eval().to(torch.bfloat16)
    if emb_int4:
        quantize_(m, IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(32)),
                  filter_fn=lambda mod, fqn: isinstance(mod, nn.Embedding))
    if lm_head_int4:
        filt = C.is_linear
    else:
        filt = C.is_linear_not_head
    quantize_(m, Int4WeightOnlyConfig(group_size=group), filter_fn=filt)
    return C.LogitsOnly(m).eval(), cfg


BASE = dict(vocab=512, dim=128, ffn=256, layers=2, heads=4, kv_heads=2)
# name: (dims, group, seed, prompt length, embedding int4, lm-head Int4Tensor)
CASES = {
    "llama_int4tensor_g64_bf16": (BASE, 64, 64, 7, True, True),
    "llama_int4tensor_g128_bf16": (dict(vocab=640, dim=128, ffn=384, layers=2, heads=4, kv_heads=2),
                                   128, 128, 7, True, True),
    "llama_int4tensor_lmhead_int4_bf16": (dict(vocab=768, dim=160, ffn=320, layers=2, heads=5, kv_heads=1),
                                          32, 33, 7, True, True),
    "llama_int4tensor_lmhead_bf16_bf16": (dict(vocab=768, dim=160, ffn=320, layers=2, heads=5, kv_heads=1),
                                          32, 33, 7, True, False),
    "llama_int4tensor_bf16emb_bf16": (BASE, 32, 21, 7, False, True),
    "llama_int4tensor_150tok_bf16": (dict(vocab=1000, dim=192, ffn=512, layers=3, heads=6, kv_heads=2),
                                     64, 150, 150, True, True),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    results = {}
    for name in [c for c in a.cases.split(",") if c]:
        dims, group, seed, seq, emb_int4, head_int4 = CASES[name]
        try:
            mod, cfg = build(dims, group, seed, emb_int4, head_int4)
            g = torch.Generator().manual_seed(seed + 1000)
            ids = torch.randint(0, dims["vocab"], (1, seq), dtype=torch.int64, generator=g)
            meta = dict(family="llama", quant="int4tensor(Int4WeightOnlyConfig v2 PLAIN)", dtype="bf16", tied=False,
                        group_size=group, embedding="int4 IntxWeightOnly PerGroup(32)" if emb_int4 else "bf16",
                        lm_head="Int4Tensor" if head_int4 else "bf16 nn.Linear",
                        shape=dict(dims), rope_theta=500000.0)
            meta = C.export_logits_program(name, mod, ids, a.out, 1, 400, meta)
            results[name] = "ok"
        except Exception:  # noqa: BLE001
            C.log_exc(name)
            results[name] = "FAILED"
    C.log("SUMMARY", json.dumps(results))


if __name__ == "__main__":
    main()
