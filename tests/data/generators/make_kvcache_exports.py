"""Static-KV-cache decoder torch.export programs (vkqc issue 17).

    python3 make_kvcache_exports.py OUT_DIR [--only name,...] [--strategies plain,rebound,rebound_unwrap]

transformers.integrations.executorch.TorchExportableModuleForDecoderOnlyLM(model, batch_size=1,
max_cache_len=64) with model.generation_config.cache_implementation = "static"; exported with
strict=False, inputs (input_ids [1, seq], cache_position [seq]) sharing one dynamic dim seq.
Models: Llama and Qwen3 x {8da4w, 4w} x {fp32, bf16} x {tied, untied}.

NAME.pt2 is what torch.export.export returned (not functionalized: in-place index_copy_/copy_
on the cache). NAME.functional.pt2 (when one of the strategies works) is a functionalized form
(run_decompositions({})). Reference: greedy generation with the exported program itself
(m = ep.module(), buffers kept between calls): prefill a seeded 8-token prompt
(cache_position = arange(8)), then 16 single-token steps (cache_position = [8 + i]).
NAME.prompt.npy int64 [1, 8]; NAME.tokens.npy int64 [16] (the tokens fed to the 16 steps:
tokens[k] = argmax(step_logits[k])); NAME.step_logits.npy float32 [17, vocab] (prefill's last
position, then each step's); NAME.ops.json; NAME.signature.txt; NAME.meta.json.
"""
import argparse
import inspect
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402  (imports transformers before torchao)
import transformers as T  # noqa: E402
from transformers.integrations.executorch import TorchExportableModuleForDecoderOnlyLM  # noqa: E402

TOK = dict(pad_token_id=0, bos_token_id=1, eos_token_id=2)
MAX_CACHE = 64
PROMPT = 8
STEPS = 16
INIT_RANGE = 0.1  # larger than the 0.02 default: decisive greedy argmax margins


def make_cfg(fam, tied):
    if fam == "llama":
        return T.LlamaConfig(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                             tie_word_embeddings=tied, initializer_range=INIT_RANGE,
                             attn_implementation="sdpa", **TOK), T.LlamaForCausalLM
    if fam == "qwen3":
        return T.Qwen3Config(vocab_size=384, hidden_size=128, intermediate_size=384, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                             max_position_embeddings=512, tie_word_embeddings=tied,
                             initializer_range=INIT_RANGE, attn_implementation="sdpa", **TOK), T.Qwen3ForCausalLM
    raise KeyError(fam)


ALL = [f"{fam}_kv_{q}_{dt}_{t}" for fam in ("llama", "qwen3") for q in ("8da4w", "4w")
       for dt in ("fp32", "bf16") for t in ("tied", "untied")]
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def build(name):
    fam, _, quant, dt, tie = name.split("_")
    tied = tie == "tied"
    cfg, cls = make_cfg(fam, tied)
    torch.manual_seed(sum(map(ord, name)))
    model = cls(cfg).eval().to(DTYPES[dt])
    C.quantize_model(model, quant, 32, tied)
    model.generation_config.cache_implementation = "static"
    model.generation_config.use_cache = True
    return model, cfg, fam, quant, dt, tied


def make_wrapper(model):
    params = inspect.signature(TorchExportableModuleForDecoderOnlyLM.__init__).parameters
    if "max_cache_len" in params:
        exp = TorchExportableModuleForDecoderOnlyLM(model, batch_size=1, max_cache_len=MAX_CACHE)
    else:  # older API: sizes from generation_config.cache_config
        model.generation_config.cache_config = {"batch_size": 1, "max_cache_len": MAX_CACHE, "device": "cpu"}
        exp = TorchExportableModuleForDecoderOnlyLM(model)
    return exp.eval()


def inner_and_cache(exp):
    inner = exp.model
    cache = getattr(inner, "static_cache", None)
    if cache is None:
        cache = getattr(inner, "cache", None)
    return inner, cache


# ---- rebinding: the cache layers read their tensors through the wrapper's registered buffers, so
# that export sees buffers (not lifted constants aliasing the buffers) -------------------------------
def install_rebinding(exp):
    inner, cache = inner_and_cache(exp)
    by_id = {id(b): n for n, b in inner.named_buffers() if "." not in n}
    mapping = []
    for i, layer in enumerate(cache.layers):
        for attr in ("keys", "values", "cumulative_length"):
            t = getattr(layer, attr, None)
            if not isinstance(t, torch.Tensor):
                continue
            bname = by_id.get(id(t))
            if bname is None:
                bname = f"rebound_{attr}_{i}"
                inner.register_buffer(bname, t, persistent=False)
            mapping.append((i, attr, bname))
    base = type(inner)

    class Rebound(base):
        def forward(self, input_ids=None, inputs_embeds=None, cache_position=None):
            for li, attr, bname in self._rebind_map:
                setattr(self._rebind_cache.layers[li], attr, getattr(self, bname))
            return base.forward(self, input_ids=input_ids, inputs_embeds=inputs_embeds,
                                cache_position=cache_position)

    inner._rebind_map = mapping
    inner._rebind_cache = cache
    inner.__class__ = Rebound
    return mapping


def rebind_real(exp):
    inner, cache = inner_and_cache(exp)
    for li, attr, bname in getattr(inner, "_rebind_map", []):
        setattr(cache.layers[li], attr, getattr(inner, bname))


def export_kv(exp, prompt):
    cp = torch.arange(prompt.shape[1], dtype=torch.long)
    errs = []
    for label, mk in (("Dim(seq,1..64)", lambda: torch.export.Dim("seq", min=1, max=MAX_CACHE)),
                      ("Dim(seq,1..63)", lambda: torch.export.Dim("seq", min=1, max=MAX_CACHE - 1)),
                      ("Dim.AUTO", lambda: torch.export.Dim.AUTO)):
        d = mk()
        ds = {"input_ids": {1: d}, "cache_position": {0: d}}
        try:
            with torch.no_grad():
                ep = torch.export.export(exp.model, args=(), kwargs={"input_ids": prompt, "cache_position": cp},
                                         dynamic_shapes=ds, strict=False)
            return ep, label, errs
        except Exception as e:  # noqa: BLE001
            errs.append(f"{label}: {repr(e)[:1500]}")
            C.log("export attempt", label, "failed:", repr(e)[:800])
    raise RuntimeError("all export attempts failed: " + " || ".join(errs))


def generate(m, prompt):
    with torch.no_grad():
        out = m(input_ids=prompt, cache_position=torch.arange(PROMPT, dtype=torch.long))
        last = out[0, -1].float()
        logits, toks = [last], []
        t = int(last.argmax())
        for i in range(STEPS):
            toks.append(t)
            out = m(input_ids=torch.tensor([[t]], dtype=torch.long),
                    cache_position=torch.tensor([PROMPT + i], dtype=torch.long))
            last = out[0, -1].float()
            logits.append(last)
            t = int(last.argmax())
    return torch.tensor(toks, dtype=torch.long), torch.stack(logits), t


def margins(step_logits):
    top2 = step_logits.topk(2, dim=-1).values
    return float((top2[:, 0] - top2[:, 1]).min())


def state_tensors(ep):
    d = {}
    for k, v in list(ep.state_dict.items()) + list(ep.constants.items()):
        if isinstance(v, torch.Tensor) and type(v) in (torch.Tensor, torch.nn.Parameter):
            d[k] = v
    return d


def snapshot(ep):
    return {k: v.detach().clone() for k, v in state_tensors(ep).items()}


def restore(ep, snap):
    cur = state_tensors(ep)
    with torch.no_grad():
        for k, v in snap.items():
            cur[k].copy_(v)


def cache_state_zero(ep):
    """True when every buffer/constant the program mutates is all-zero (a clean initial cache)."""
    sig = ep.graph_signature
    names = set(getattr(sig, "buffers_to_mutate", {}).values())
    for spec in sig.input_specs:
        if spec.target is not None and ("cache" in spec.target or "cumulative" in spec.target
                                        or "rebound" in spec.target or "lifted" in spec.target):
            names.add(spec.target)
    st = state_tensors(ep)
    bad = [n for n in names if n in st and st[n].dtype != torch.bool and st[n].abs().sum() != 0]
    return not bad, sorted(names)


def ref_and_save(ep, prompt, path):
    """Greedy reference with ep.module() (state restored afterwards), save, reload and re-run."""
    snap = snapshot(ep)
    toks, logits, nxt = generate(ep.module(), prompt)
    restore(ep, snap)
    torch.export.save(ep, path)
    loaded = torch.export.load(path)
    zero, names = cache_state_zero(loaded)
    ltoks, llogits, lnxt = generate(loaded.module(), prompt)
    check = dict(loaded_tokens_equal=bool(torch.equal(toks, ltoks) and nxt == lnxt),
                 loaded_max_abs_diff=float((logits - llogits).abs().max()),
                 saved_mutated_state_zero=zero, mutated_state=names)
    return toks, logits, nxt, check


def run_one(name, out_dir, strategies):
    t0 = time.time()
    model, cfg, fam, quant, dt, tied = build(name)
    g = torch.Generator().manual_seed(sum(map(ord, name)) + 8)
    prompt = torch.randint(0, cfg.vocab_size, (1, PROMPT), dtype=torch.long, generator=g)

    exp = make_wrapper(model)
    inner, cache = inner_and_cache(exp)
    inner_cls = type(inner).__module__ + "." + type(inner).__name__
    buf0 = {n: b.detach().clone() for n, b in exp.named_buffers()}
    # eager greedy run (for the export-vs-eager comparison), then restore the clean cache.
    # exp.model (the inner wrapper, which exp.export() exports): in 5.17 exp.forward drops
    # cache_position when it calls the inner wrapper (TypeError: 'NoneType' object is not subscriptable)
    etoks, elogits, enxt = generate(exp.model, prompt)
    with torch.no_grad():
        for n, b in exp.named_buffers():
            if n in buf0:
                b.copy_(buf0[n])
        for layer in cache.layers:  # unregistered layer state too
            if isinstance(getattr(layer, "keys", None), torch.Tensor):
                layer.keys.zero_()
                layer.values.zero_()
            if isinstance(getattr(layer, "cumulative_length", None), torch.Tensor):
                layer.cumulative_length.zero_()

    ep, dyn_label, export_errs = export_kv(exp, prompt)
    before = C.op_targets(ep)
    path = os.path.join(out_dir, name + ".pt2")
    toks, logits, nxt, check = ref_and_save(ep, prompt, path)
    with open(os.path.join(out_dir, name + ".signature.txt"), "w") as f:
        f.write(str(ep.graph_signature))
    np.save(os.path.join(out_dir, name + ".prompt.npy"), prompt.numpy())
    np.save(os.path.join(out_dir, name + ".tokens.npy"), toks.numpy())
    np.save(os.path.join(out_dir, name + ".step_logits.npy"), logits.numpy())

    # ---- functionalized form ----
    func = dict(strategy=None, attempts={})
    after = None
    rebound_before = None
    for strat in strategies:
        try:
            if strat == "plain":
                fep = ep.run_decompositions({})
            elif strat in ("rebound", "rebound_unwrap"):
                if not hasattr(inner, "_rebind_map"):
                    install_rebinding(exp)
                if strat == "rebound_unwrap":
                    from torchao.utils import unwrap_tensor_subclass
                    unwrap_tensor_subclass(exp.model)
                rep, _, _ = export_kv(exp, prompt)
                rebind_real(exp)
                rebound_before = C.op_targets(rep)
                fep = rep.run_decompositions({})
            else:
                raise KeyError(strat)
            fpath = os.path.join(out_dir, name + ".functional.pt2")
            ftoks, flogits, fnxt, fcheck = ref_and_save(fep, prompt, fpath)
            after = C.op_targets(fep)
            with open(os.path.join(out_dir, name + ".functional.signature.txt"), "w") as f:
                f.write(str(fep.graph_signature))
            func.update(strategy=strat, pt2_bytes=C.pt2_size(fpath), check=fcheck,
                        tokens_equal_stock=bool(torch.equal(ftoks, toks) and fnxt == nxt),
                        max_abs_diff_vs_stock=float((flogits - logits).abs().max()),
                        seq_ranges=C.seq_ranges(fep), inputs=C.input_shapes(fep))
            func["attempts"][strat] = "ok"
            break
        except Exception as e:  # noqa: BLE001
            import traceback
            func["attempts"][strat] = repr(e)[:1500]
            C.log(name, "functional strategy", strat, "failed:\n" + traceback.format_exc()[-2500:])
    C.save_json(os.path.join(out_dir, name + ".ops.json"),
                {"before": before, "after": after, "rebound_before": rebound_before})
    meta = dict(name=name, family=fam, quant=quant, dtype=dt, tied=tied, group_size=32,
                model_class=type(model).__name__, wrapper=type(exp).__module__ + "." + type(exp).__name__,
                inner_wrapper=inner_cls, exported_module="exp.model (the inner wrapper, as its export() does)",
                init_range=INIT_RANGE, max_cache_len=MAX_CACHE, prompt_len=PROMPT, steps=STEPS,
                shape={k: getattr(cfg, k, None) for k in ("vocab_size", "hidden_size", "intermediate_size",
                                                          "num_hidden_layers", "num_attention_heads",
                                                          "num_key_value_heads", "head_dim",
                                                          "tie_word_embeddings", "sliding_window")},
                dynamic=dyn_label, export_attempt_errors=export_errs, pt2_bytes=C.pt2_size(path),
                seq_ranges=C.seq_ranges(ep), inputs=C.input_shapes(ep), check=check,
                next_token_after_last_step=nxt, min_top1_top2_margin=margins(logits),
                tokens=toks.tolist(), eager_tokens_equal=bool(torch.equal(etoks, toks) and enxt == nxt),
                eager_max_abs_diff=float((elogits - logits).abs().max()), functional=func,
                n_nodes=len(ep.graph.nodes), torch=torch.__version__, transformers=T.__version__,
                wrapper_init_signature=str(inspect.signature(TorchExportableModuleForDecoderOnlyLM.__init__)),
                seconds=round(time.time() - t0, 1))
    C.save_json(os.path.join(out_dir, name + ".meta.json"), meta)
    C.log(name, "ok", json.dumps({k: meta[k] for k in ("pt2_bytes", "seq_ranges", "dynamic", "check",
                                                      "eager_tokens_equal", "min_top1_top2_margin",
                                                      "seconds")}),
          "functional:", json.dumps({k: func.get(k) for k in ("strategy", "check", "tokens_equal_stock")}))
    return meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--only", default=",".join(ALL))
    ap.add_argument("--strategies", default="plain,rebound,rebound_unwrap")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--inspect", action="store_true", help="print the wrapper's source first")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    C.setup_torchao()
    if a.inspect:
        import transformers.integrations.executorch as ex
        C.log("transformers", T.__version__, "executorch module:", ex.__file__)
        C.log("DecoderOnlyLM.__init__", inspect.signature(TorchExportableModuleForDecoderOnlyLM.__init__))
        try:
            C.log("StaticCache wrapper forward:\n" + inspect.getsource(ex.TorchExportableModuleWithStaticCache.forward))
        except Exception as e:  # noqa: BLE001
            C.log("no source", repr(e))
    results = {}
    for name in [n for n in a.only.split(",") if n]:
        try:
            run_one(name, a.out, [s for s in a.strategies.split(",") if s])
            results[name] = "ok"
        except Exception:  # noqa: BLE001
            C.log_exc(name)
            results[name] = "FAILED"
    C.log("SUMMARY", json.dumps(results))


if __name__ == "__main__":
    main()
