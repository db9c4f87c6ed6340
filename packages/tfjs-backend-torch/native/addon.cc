// The tfjs-backend-torch addon: one module, each op family in its own file.
#include "tensors.h"

namespace tbt {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterCore(env, exports);
  RegisterElementwise(env, exports);
  RegisterLinalg(env, exports);
  RegisterShape(env, exports);
  RegisterReduce(env, exports);
  RegisterConv(env, exports);
  RegisterOptim(env, exports);
  RegisterNorm(env, exports);
  return exports;
}

}  // namespace tbt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tbt::Init(env, exports); }

NODE_API_MODULE(tfjs_backend_torch, InitAddon)
