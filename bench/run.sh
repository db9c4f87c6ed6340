#!/usr/bin/env bash
# Speed benchmarks of tfjs-backend-torch against PyTorch (and ONNX Runtime for MobileNetV2
# inference), at each given libtorch thread count. Run it on a quiet machine.
# transfer_features: darknet-tiny feature extraction (strata's transfer learning) against the
# same network and weights in PyTorch; alone: BENCH_ONLY=transfer_features bench/run.sh
# distributed: data-parallel fits (1 process × 2 threads, × 1 thread, 2 ranks × 1 thread) and the
# allreduce's time per step; not in the default list, it sets its own threads: BENCH_ONLY=distributed bench/run.sh 1
#
#   bench/run.sh            # threads 1 and 2
#   bench/run.sh 4          # threads 4 only
#   BENCH_ONLY="mlp memory" bench/run.sh 1
#
# Each benchmark runs with TBT_NUM_THREADS=T (libtorch intra-op threads), OMP_NUM_THREADS=T and
# OPENBLAS_NUM_THREADS=T (libtorch's OpenBLAS matmuls), and starts its PyTorch peer with
# torch.set_num_threads(T) and the same environment. Sizes: see the BENCH_* variables at the top
# of each bench/*.ts. Logs and the JSON lines go to $BENCH_OUT (default /tmp/strata-bench-DATE);
# a summary table is printed at the end. memory.ts runs once, at the first thread count.
set -uo pipefail

cd "$(dirname "$0")/.."
[ "$#" -eq 0 ] && set -- 1 2
BENCHES=${BENCH_ONLY:-"spotify_fit mlp cnn mobilenet_infer mobilenet_train memory cifar_epoch stream_memory transfer_features"}
OUT=${BENCH_OUT:-/tmp/strata-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
export PYTHONUNBUFFERED=1
# The heap setting, the same for strata and every peer (PyTorch, scikit-learn, XGBoost): strata's
# addon raises glibc's thresholds with mallopt (packages/tfjs-backend-torch/native/addon.cc: mmap
# threshold 1 << 30, trim threshold 1 << 30), which keeps big activations in the heap instead of
# paying an mmap and its page faults per tensor; a peer on glibc's defaults would be handicapped.
# Exported here, so the Node process and every peer it starts inherit them (the addon leaves the
# heap alone when these are set: glibc has applied the same values at start-up). Set them
# yourself to compare another setting, or TBT_DEFAULT_MALLOC=1 with both unset for glibc's defaults.
if [ "${TBT_DEFAULT_MALLOC:-0}" = 0 ]; then
  export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-1073741824}
  export MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-1073741824}
fi

echo "strata speed benchmarks: threads $*; benches: $BENCHES; logs in $OUT"
echo "node $(node --version), $(nproc) cores, $(uname -srm), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "heap, strata and peers alike: MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-unset (glibc default)}" \
  "MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-unset (glibc default)}"
echo "threads, strata and peers alike: TBT_NUM_THREADS, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and the" \
  "peers' torch.set_num_threads = the run's thread count"
start=$(date +%s)
failed=0
first_threads=$1
for T in "$@"; do
  for b in $BENCHES; do
    if [ "$b" = memory ] || [ "$b" = stream_memory ] && [ "$T" != "$first_threads" ] && [ "${BENCH_MEM_ALL_THREADS:-0}" = 0 ]; then
      continue
    fi
    log="$OUT/$b-t$T.log"
    echo
    echo "=== $b, threads $T ($(date +%H:%M:%S)) ==="
    TBT_NUM_THREADS=$T OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T \
      node --expose-gc --import tsx "bench/$b.ts" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    last=$(tail -n 1 "$log")
    if [ "$rc" -eq 0 ] && [ "${last:0:1}" = "{" ]; then
      echo "$last" >>"$RESULTS"
    else
      echo "!!! $b (threads $T) failed with exit code $rc; see $log"
      failed=$((failed + 1))
    fi
  done
done

echo
echo "=== summary (took $(($(date +%s) - start)) s; $failed failed; JSON lines in $RESULTS) ==="
node --import tsx bench/summary.ts "$RESULTS"
exit $((failed > 0))
