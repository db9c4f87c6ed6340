// Convolutions, pooling and normalisation (NHWC in TF.js, channels-last in libtorch).
#include "tensors.h"

namespace tbt {

void RegisterConv(Napi::Env env, Napi::Object exports) { (void)env; (void)exports; }

}  // namespace tbt
