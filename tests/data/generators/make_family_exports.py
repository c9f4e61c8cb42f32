"""Decoder-family torch.export programs (vkqc issue 18): torchao-quantized random-init HF models.

    python3 make_family_exports.py OUT_DIR [--families a,b] [--variants 8da4w_bf16,...] [--special]

For each family x {8da4w, 4w} x {fp32, bf16}: NAME.pt2 (after run_decompositions({})),
NAME.tokens.npy (int64 [1, 120]), NAME.logits.npy (float32, what the SAVED program computes),
NAME.ops.json ({"before": export graph ops, "after": ops after run_decompositions({})}),
NAME.meta.json. Dynamic sequence length (Dim.AUTO, 2..256). Group size 32.
Tied families (config default tie_word_embeddings=True) follow the shared corpus: 4w embedding,
lm_head re-tied to the quantized table, other linears quantized; untied ones quantize every
linear incl. lm_head.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (imports transformers before torchao)
import transformers as T  # noqa: E402

TOK = dict(pad_token_id=0, bos_token_id=1, eos_token_id=2)


def fam_qwen2():
    cfg = T.Qwen2Config(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                        attn_implementation="sdpa", **TOK)
    return cfg, T.Qwen2ForCausalLM


def fam_qwen3():
    cfg = T.Qwen3Config(vocab_size=384, hidden_size=128, intermediate_size=384, num_hidden_layers=2,
                        num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                        max_position_embeddings=512, attn_implementation="sdpa", **TOK)
    return cfg, T.Qwen3ForCausalLM


def fam_gemma3():
    # GELU-tanh MLP, scaled embedding, (1 + w) RMSNorm, q/k norm, sliding window 64 on layer 0,
    # final logit soft-capping 30 (Gemma 3 has it as an option; attention soft-capping needs eager).
    cfg = T.Gemma3TextConfig(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=1, head_dim=32,
                             query_pre_attn_scalar=32, sliding_window=64,
                             layer_types=["sliding_attention", "full_attention"],
                             final_logit_softcapping=30.0, max_position_embeddings=512,
                             attn_implementation="sdpa", **TOK)
    return cfg, T.Gemma3ForCausalLM


def fam_gemma2():
    # Gemma 2: attention soft-capping 50 and final soft-capping 30 (eager attention: sdpa drops
    # the attention soft-capping), sliding window 64 on layer 0.
    cfg = T.Gemma2Config(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                         query_pre_attn_scalar=32, sliding_window=64,
                         layer_types=["sliding_attention", "full_attention"],
                         final_logit_softcapping=30.0, attn_logit_softcapping=50.0,
                         max_position_embeddings=512, attn_implementation="eager", **TOK)
    return cfg, T.Gemma2ForCausalLM


def fam_phi3():
    # fused qkv_proj [96+2*32 = 160, 96] and gate_up_proj [2*256, 96]
    cfg = T.Phi3Config(vocab_size=448, hidden_size=96, intermediate_size=256, num_hidden_layers=2,
                       num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=512,
                       original_max_position_embeddings=512, attn_implementation="sdpa", **TOK)
    return cfg, T.Phi3ForCausalLM


def fam_mistral():
    cfg = T.MistralConfig(vocab_size=640, hidden_size=160, intermediate_size=320, num_hidden_layers=2,
                          num_attention_heads=5, num_key_value_heads=1, head_dim=32, sliding_window=64,
                          max_position_embeddings=512, attn_implementation="sdpa", **TOK)
    return cfg, T.MistralForCausalLM


def fam_olmo2():
    cfg = T.Olmo2Config(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                        num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512,
                        attn_implementation="sdpa", **TOK)
    return cfg, T.Olmo2ForCausalLM


def fam_smollm3():
    # layer 1 is a NoPE layer (no_rope_layers=[1, 0])
    cfg = T.SmolLM3Config(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, no_rope_layers=[1, 0],
                          max_position_embeddings=512, attn_implementation="sdpa", **TOK)
    return cfg, T.SmolLM3ForCausalLM


def fam_llama_eager():
    cfg = T.LlamaConfig(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=3,
                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                        attn_implementation="eager", **TOK)
    return cfg, T.LlamaForCausalLM


FAMILIES = {
    "qwen2": fam_qwen2, "qwen3": fam_qwen3, "gemma3": fam_gemma3, "gemma2": fam_gemma2,
    "phi3": fam_phi3, "mistral": fam_mistral, "olmo2": fam_olmo2, "smollm3": fam_smollm3,
    "llama_eager": fam_llama_eager,
}
VARIANTS = ["8da4w_fp32", "4w_fp32", "8da4w_bf16", "4w_bf16"]
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def shape_params(cfg):
    keys = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "head_dim", "sliding_window", "layer_types", "final_logit_softcapping",
            "attn_logit_softcapping", "no_rope_layers", "tie_word_embeddings", "rope_parameters"]
    return {k: getattr(cfg, k) for k in keys if hasattr(cfg, k)}


def build(fam, variant, group=32):
    quant, dt = variant.split("_")
    cfg, cls = FAMILIES[fam]()
    tied = bool(getattr(cfg, "tie_word_embeddings", False))
    torch.manual_seed(sum(map(ord, fam)) * 31 + 7)
    model = cls(cfg).eval().to(DTYPES[dt])
    C.quantize_model(model, quant, group, tied)
    return model, cfg, tied, quant, dt


def tokens_for(vocab, n, seed=1234):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (1, n), dtype=torch.int64, generator=g)


def run_family(fam, variants, out_dir, results):
    for v in variants:
        name = f"{fam}_{v}"
        try:
            model, cfg, tied, quant, dt = build(fam, v)
            meta = dict(family=fam, quant=quant, dtype=dt, tied=tied, group_size=32,
                        model_class=type(model).__name__,
                        attn_implementation=getattr(cfg, "_attn_implementation", None),
                        shape=shape_params(cfg))
            C.export_logits_program(name, C.LogitsOnly(model), tokens_for(cfg.vocab_size, 120), out_dir,
                                    2, 256, meta)
            results[name] = "ok"
        except Exception:  # noqa: BLE001
            C.log_exc(name)
            results[name] = "FAILED"


def run_special(out_dir, results):
    name = "llama_g64_150tok_8da4w_fp32"
    try:
        cfg = T.LlamaConfig(vocab_size=1000, hidden_size=192, intermediate_size=512, num_hidden_layers=3,
                            num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=512,
                            tie_word_embeddings=False, attn_implementation="sdpa", **TOK)
        torch.manual_seed(6400)
        model = T.LlamaForCausalLM(cfg).eval().to(torch.float32)
        C.quantize_model(model, "8da4w", 64, False, emb_group=64)
        meta = dict(family="llama", quant="8da4w", dtype="fp32", tied=False, group_size=64,
                    embedding_group_size=64, model_class=type(model).__name__,
                    attn_implementation="sdpa", shape=shape_params(cfg))
        C.export_logits_program(name, C.LogitsOnly(model), tokens_for(1000, 150, seed=150), out_dir,
                                2, 256, meta)
        results[name] = "ok"
    except Exception:  # noqa: BLE001
        C.log_exc(name)
        results[name] = "FAILED"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--special", action="store_true", help="only the llama_g64_150tok special case")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    results = {}
    if a.special:
        run_special(a.out, results)
    else:
        for fam in [f for f in a.families.split(",") if f]:
            run_family(fam, [v for v in a.variants.split(",") if v], a.out, results)
    C.log("SUMMARY", json.dumps(results))


if __name__ == "__main__":
    main()
