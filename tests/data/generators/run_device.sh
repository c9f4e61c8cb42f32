#!/bin/bash
# Runs the export scripts on the GPU machine (CPU work), in parallel processes.
#   bash run_device.sh smoke|full OUT
# Writes OUT/log.txt and OUT/*.tgz* (tar+gzip of A/ B/ C/, split into 15 MiB parts).
set -o pipefail
MODE=$1; OUT=$2
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
W=/tmp/exports_work; rm -rf $W; mkdir -p $W/A $W/B $W/C $W/logs
TL=${TL:-480}
echo "== $(date) mode=$MODE nproc=$(nproc)"; python3 -c "import torch, transformers, numpy; print('torch', torch.__version__, 'transformers', transformers.__version__, 'numpy', numpy.__version__)"
FAMS="qwen2 qwen3 gemma3 gemma2 phi3 mistral olmo2 smollm3 llama_eager"
if [ "$MODE" = smoke ]; then
  for f in $FAMS; do timeout $TL python3 make_family_exports.py $W/A --families $f --variants 8da4w_bf16 >$W/logs/A_$f.txt 2>&1 & done
  timeout $TL python3 gen_int4tensor_v2.py $W/B --cases llama_int4tensor_g64_bf16 >$W/logs/B.txt 2>&1 &
  timeout $TL python3 make_kvcache_exports.py $W/C --only llama_kv_8da4w_fp32_tied --inspect >$W/logs/C1.txt 2>&1 &
  timeout $TL python3 make_kvcache_exports.py $W/C --only qwen3_kv_4w_bf16_untied >$W/logs/C2.txt 2>&1 &
else
  for f in $FAMS; do timeout $TL python3 make_family_exports.py $W/A --families $f ${AVARIANTS:+--variants $AVARIANTS} >$W/logs/A_$f.txt 2>&1 & done
  timeout $TL python3 make_family_exports.py $W/A --special >$W/logs/A_special.txt 2>&1 &
  timeout $TL python3 gen_int4tensor_v2.py $W/B --cases llama_int4tensor_g64_bf16,llama_int4tensor_g128_bf16,llama_int4tensor_lmhead_int4_bf16 >$W/logs/B1.txt 2>&1 &
  timeout $TL python3 gen_int4tensor_v2.py $W/B --cases llama_int4tensor_lmhead_bf16_bf16,llama_int4tensor_bf16emb_bf16,llama_int4tensor_150tok_bf16 >$W/logs/B2.txt 2>&1 &
  for fam in llama qwen3; do for q in 8da4w 4w; do for dt in fp32 bf16; do
    timeout $TL python3 make_kvcache_exports.py $W/C --only ${fam}_kv_${q}_${dt}_tied,${fam}_kv_${q}_${dt}_untied ${KVSTRAT:+--strategies $KVSTRAT} >$W/logs/C_${fam}_${q}_${dt}.txt 2>&1 &
  done; done; done
fi
wait
for f in $W/logs/*.txt; do echo "######## $f"; cat $f; done > $OUT/log.txt
echo "== summaries"; grep -h "SUMMARY" $W/logs/*.txt
echo "== failures"; grep -h -A3 "FAILED\|failed:" $W/logs/*.txt | grep -v "^--$" | cut -c1-400 | head -60
echo "== sizes"; du -sh $W/A $W/B $W/C; ls $W/A $W/B $W/C | wc -l
cp $W/logs/*.txt $W/ 2>/dev/null
(cd $W && tar czf - A B C logs) | split -b 15m - $OUT/exports.tgz.
ls -la $OUT
echo "== $(date) done"
