"""PyTorch on the same GPU as vkqc: the forward time of the Llama-3.2-1B-shape model.

    TORCHAO_SRC=/path/to/ao python3 bench/torch_baseline.py --tokens 2,16,128,512 -o torch.json

Three ways a user would run the model instead of vkqc, each timed at every token count:
eager torchao 8da4w (the recipe of the exported programs: Int8DynamicActivationIntxWeight
int4 per-group 32 linears, int4 weight-only embedding, tied lm-head), eager bf16 and
torch.compile bf16. Weights are random (the shape decides the time). Each time is the
median of --iters synchronized forwards after --warmup untimed ones, timed with CUDA events.
"""
import argparse
import json
import os
import statistics
import sys

import torch
import transformers  # before torchao's sources: transformers probes torchao's version


def llama1b(dtype):
    cfg = transformers.LlamaConfig(
        vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
        num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=2048,
        rope_theta=500000.0, tie_word_embeddings=True, attn_implementation="sdpa")
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(cfg).eval().to(dtype).cuda()


def quantize_8da4w(model):
    sys.path.insert(0, os.environ["TORCHAO_SRC"])
    import torchao
    torchao.__version__ = "0.19.0"  # a source copy has no installed metadata
    from torchao.quantization import quantize_
    from torchao.quantization.granularity import PerGroup
    from torchao.quantization.quant_api import (Int8DynamicActivationIntxWeightConfig,
                                                IntxWeightOnlyConfig)
    quantize_(model, IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(32)),
              filter_fn=lambda m, fqn: isinstance(m, torch.nn.Embedding))
    model.lm_head.weight = model.model.embed_tokens.weight
    quantize_(model, Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int4,
                                                           weight_granularity=PerGroup(32)),
              filter_fn=lambda m, fqn: isinstance(m, torch.nn.Linear) and fqn != "lm_head")
    return model


def time_forward(fn, tokens, warmup, iters):
    with torch.no_grad():
        for _ in range(warmup):
            fn(tokens)
        torch.cuda.synchronize()
        times = []
        for _ in range(iters):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn(tokens)
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end))
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tokens", default="2,16,128,512")
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--variants", default="torchao-8da4w-eager,bf16-eager,bf16-compile")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    counts = [int(t) for t in args.tokens.split(",")]
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
              "transformers": transformers.__version__, "variants": {}}
    for variant in args.variants.split(","):
        if variant == "torchao-8da4w-eager":
            model = quantize_8da4w(llama1b(torch.float32))
        else:
            model = llama1b(torch.bfloat16)

        def forward(t, model=model):
            return model(input_ids=t, use_cache=False).logits
        fn = torch.compile(forward, dynamic=False) if variant == "bf16-compile" else forward
        rows = {}
        for count in counts:
            tokens = torch.randint(0, 128256, (1, count), device="cuda")
            rows[str(count)] = time_forward(fn, tokens, args.warmup, args.iters)
            print(variant, count, rows[str(count)], flush=True)
        result["variants"][variant] = rows
        del model, fn
        torch.cuda.empty_cache()
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
