// The tfjs-backend-torch addon: one module, each op family in its own file.
#include <cstdlib>
#include <cstring>

#include "dist.h"
#include "tensors.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tbt {

// Why: TF.js frees every intermediate tensor as soon as it has been used, so a training step
// allocates and frees the same megabyte-sized buffers hundreds of times. With glibc's defaults
// much of that memory goes back to the kernel (large blocks are mmap'ed, the heap top is trimmed)
// and is faulted in again, zero-filled, by the next allocation: 400k+ page faults and ~20% of a
// CIFAR CNN training step here. Blocks up to 1 GiB now stay in the heap (MobileNetV2's 224x224
// activations at batch 16 are 77 MiB each: with a 32 MiB threshold its native forward still took
// 38k page faults a batch and ~27% more CPU time than with none), and the heap top is returned
// only past 1 GiB free (with 256 MiB, MobileNetV2's native forward at batch 32, whose activations
// are 154 MiB, trimmed and faulted the heap in again every batch: 46 images/s against 72, slower
// per image than at batch 16). glibc's own switches in the environment (MALLOC_*_THRESHOLD_,
// GLIBC_TUNABLES=glibc.malloc.*), or TBT_DEFAULT_MALLOC=1, keep glibc's behaviour.
void TuneMalloc() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") ||
      std::getenv("TBT_DEFAULT_MALLOC") || (tunables && std::strstr(tunables, "glibc.malloc.")))
    return;
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TuneMalloc();
  RegisterCore(env, exports);
  RegisterElementwise(env, exports);
  RegisterLinalg(env, exports);
  RegisterShape(env, exports);
  RegisterReduce(env, exports);
  RegisterConv(env, exports);
  RegisterOptim(env, exports);
  RegisterNorm(env, exports);
  RegisterTrain(env, exports);
  RegisterDist(env, exports);
  return exports;
}

}  // namespace tbt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tbt::Init(env, exports); }

NODE_API_MODULE(tfjs_backend_torch, InitAddon)
