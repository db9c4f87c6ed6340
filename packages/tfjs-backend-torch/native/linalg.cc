// Matrix products (plain and fused with bias and activation) and softmax.
#include "tensors.h"

namespace tbt {
namespace {

at::Tensor Activate(at::Tensor y, const std::string& activation, const at::Tensor* prelu, double leaky_alpha) {
  if (activation == "linear" || activation.empty()) return y;
  if (activation == "relu") return y.relu_();
  if (activation == "relu6") return y.clamp_(0, 6);
  if (activation == "elu") return at::elu(y);
  if (activation == "sigmoid") return y.sigmoid_();
  if (activation == "leakyrelu") return y.is_floating_point() ? at::leaky_relu_(y, leaky_alpha) : at::where(y < 0, y * leaky_alpha, y);
  if (activation == "prelu" && prelu != nullptr) return at::where(y < 0, y * *prelu, y);
  throw std::runtime_error("fused activation '" + activation + "' is not supported");
}

// batchMatMul(a, b, transposeA, transposeB): [..., m, k] x [..., k, n] with broadcast batch dims.
TBT_FN(BatchMatMul) {
  auto a = TensorArg(info, 0);
  auto b = TensorArg(info, 1);
  if (BoolArg(info, 2)) a = a.transpose(-2, -1);
  if (BoolArg(info, 3)) b = b.transpose(-2, -1);
  return Handle(info, at::matmul(a, b));
}

// fusedMatMul(a, b, bias | -1, prelu | -1, transposeA, transposeB, activation, leakyAlpha)
TBT_FN(FusedMatMul) {
  auto a = TensorArg(info, 0);
  auto b = TensorArg(info, 1);
  int64_t bias_h = IntArg(info, 2);
  int64_t prelu_h = IntArg(info, 3);
  if (BoolArg(info, 4)) a = a.transpose(-2, -1);
  if (BoolArg(info, 5)) b = b.transpose(-2, -1);
  auto activation = StringArg(info, 6);
  double leaky_alpha = NumberArg(info, 7);
  at::Tensor y;
  if (bias_h >= 0) {
    const auto& bias = Get(static_cast<int32_t>(bias_h));
    // addmm fuses the bias add into the GEMM for the common 2-D case.
    y = (a.dim() == 2 && b.dim() == 2 && bias.dim() <= 2) ? at::addmm(bias, a, b) : at::matmul(a, b).add_(bias);
  } else {
    y = at::matmul(a, b);
  }
  const at::Tensor* prelu = prelu_h >= 0 ? &Get(static_cast<int32_t>(prelu_h)) : nullptr;
  return Handle(info, Activate(y, activation, prelu, leaky_alpha));
}

// softmax(logits, dim)
TBT_FN(Softmax) { return Handle(info, at::softmax(TensorArg(info, 0), IntArg(info, 1))); }

}  // namespace

at::Tensor ActivateFused(at::Tensor y, const std::string& activation, const at::Tensor* prelu, double leaky_alpha) {
  return Activate(std::move(y), activation, prelu, leaky_alpha);
}

void RegisterLinalg(Napi::Env env, Napi::Object exports) {
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul, "batchMatMul"));
  exports.Set("fusedMatMul", Napi::Function::New(env, FusedMatMul, "fusedMatMul"));
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
}

}  // namespace tbt
