// Training-mode batch normalisation over every axis but the last (TF.js's channels-last layout):
// batch statistics, the normalised output and the whole gradient each in one call, where TF.js
// composes them from ~30 element-wise kernels per layer and step (moments, FusedBatchNorm and
// their gradients).
#include "tensors.h"

namespace tbt {
namespace {

// x [..., C] as an NCHW tensor [M, C, 1, 1] in channels-last memory: a view, and the layout
// libtorch's CPU batch-norm kernels handle fastest (vectorised across channels).
at::Tensor AsChannelsLast(const at::Tensor& x) {
  int64_t c = x.size(-1);
  return x.reshape({-1, 1, 1, c}).permute({0, 3, 1, 2});
}

// Back from AsChannelsLast's layout to `like`'s shape (a view when libtorch kept channels-last).
at::Tensor FromChannelsLast(const at::Tensor& t, const at::Tensor& like) {
  return t.permute({0, 2, 3, 1}).contiguous().reshape(like.sizes());
}

// batchNormTrain(x, scale, offset, epsilon) -> [y, mean, variance, invStd]:
// mean and (biased) variance over all axes but the last; y = (x - mean) * invStd * scale + offset,
// invStd = 1 / sqrt(variance + epsilon).
TBT_FN(BatchNormTrain) {
  const auto& x = TensorArg(info, 0);
  const auto& scale = TensorArg(info, 1);
  const auto& offset = TensorArg(info, 2);
  double eps = NumberArg(info, 3);
  auto [y, mean, inv_std] = at::native_batch_norm(AsChannelsLast(x), scale, offset, {}, {}, true, 0.0, eps);
  // The variance back from invStd: a separate reduction (at::var_mean across rows) costs 10x the
  // whole normalisation here, and this loses only digits far below the moving average's noise.
  auto variance = (inv_std.pow(-2) - eps).clamp_min_(0);
  return Handles(info, {FromChannelsLast(y, x), mean, variance, inv_std});
}

// batchNormTrainGrad(dy, x, scale, mean, invStd, epsilon) -> [dx, dScale, dOffset], the
// gradient of batchNormTrain's y (with the batch statistics as functions of x).
TBT_FN(BatchNormTrainGrad) {
  const auto& dy = TensorArg(info, 0);
  const auto& x = TensorArg(info, 1);
  const auto& scale = TensorArg(info, 2);
  const auto& mean = TensorArg(info, 3);
  const auto& inv_std = TensorArg(info, 4);
  double eps = NumberArg(info, 5);
  auto [dx, dscale, doffset] = at::native_batch_norm_backward(
      AsChannelsLast(dy), AsChannelsLast(x), scale, {}, {}, mean, inv_std, true, eps, {true, true, true});
  return Handles(info, {FromChannelsLast(dx, x), dscale, doffset});
}

}  // namespace

void RegisterNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain, "batchNormTrain"));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad, "batchNormTrainGrad"));
}

}  // namespace tbt
