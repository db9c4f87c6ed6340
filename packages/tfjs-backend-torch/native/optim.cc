// Fused optimizer updates: one call per variable instead of a dozen element-wise kernels.
#include "tensors.h"

namespace tbt {
namespace {

// adam(value, m, v, gradient, lr, beta1, beta2, epsilon, biasCorrection1, biasCorrection2)
//   -> [value', m', v'], exactly TF.js's AdamOptimizer step:
//   m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g²;  value' = value - lr (m'/c1) / (sqrt(v'/c2) + eps)
TBT_FN(Adam) {
  const auto& value = TensorArg(info, 0);
  const auto& m = TensorArg(info, 1);
  const auto& v = TensorArg(info, 2);
  const auto& g = TensorArg(info, 3);
  double lr = NumberArg(info, 4);
  double b1 = NumberArg(info, 5);
  double b2 = NumberArg(info, 6);
  double eps = NumberArg(info, 7);
  double c1 = NumberArg(info, 8);
  double c2 = NumberArg(info, 9);
  auto m2 = at::lerp(m, g, 1 - b1);
  auto v2 = at::addcmul(v * b2, g, g, 1 - b2);
  auto denom = (v2 / c2).sqrt_().add_(eps);
  auto value2 = at::addcdiv(value, m2, denom, -lr / c1);
  return Handles(info, {value2, m2, v2});
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) { exports.Set("adam", Napi::Function::New(env, Adam, "adam")); }

}  // namespace tbt
