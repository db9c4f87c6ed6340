// Reductions over a list of axes, with TF.js's dtypes (sums of int32 or bool stay int32).
#include <algorithm>
#include <functional>
#include <limits>

#include "tensors.h"

namespace tbt {
namespace {

at::Tensor AsTfDtype(const at::Tensor& result, const at::Tensor& input) {
  if (input.scalar_type() == at::kBool || input.scalar_type() == at::kInt) return result.to(at::kInt);
  return result;
}

// reduce(op, x, axes, keepDims)
TBT_FN(Reduce) {
  auto op = StringArg(info, 0);
  const auto& x = TensorArg(info, 1);
  auto axes = IntsArg(info, 2);
  bool keep = BoolArg(info, 3);
  at::IntArrayRef dims(axes);
  if (axes.empty()) {  // nothing to reduce, but the result has the op's dtype
    if (op == "Any" || op == "All") return Handle(info, x.to(at::kBool).clone());
    if (op == "Sum" || op == "Prod") return Handle(info, AsTfDtype(x.clone(), x));
    if (op == "Mean") return Handle(info, x.to(at::kFloat).clone());
    return Handle(info, x.clone());
  }
  if (op == "Sum") return Handle(info, AsTfDtype(at::sum(x, dims, keep), x));
  // TF.js's mean of int32 (or bool) is float32.
  if (op == "Mean") return Handle(info, at::mean(at::isFloatingType(x.scalar_type()) ? x : x.to(at::kFloat), dims, keep));
  if (op == "Prod") {
    // at::prod takes one dim: reduce the axes one at a time, highest first so indices stay valid.
    auto sorted = axes;
    std::sort(sorted.begin(), sorted.end(), std::greater<int64_t>());
    at::Tensor p = x.scalar_type() == at::kBool ? x.to(at::kInt) : x;
    for (auto a : sorted) p = at::prod(p, a < 0 ? a + x.dim() : a, keep);
    return Handle(info, AsTfDtype(p, x));
  }
  if (op == "Max") return Handle(info, at::amax(x, dims, keep));
  if (op == "Min") return Handle(info, at::amin(x, dims, keep));
  if (op == "All") return Handle(info, at::amin(x.to(at::kBool).to(at::kInt), dims, keep).to(at::kBool));
  if (op == "Any") return Handle(info, at::amax(x.to(at::kBool).to(at::kInt), dims, keep).to(at::kBool));
  throw Napi::Error::New(info.Env(), "reduce: no native kernel " + op);
}

// argReduce(op, x, axis): int32 indices of the max (ArgMax) or min (ArgMin); first one on ties.
// As TF.js's CPU kernel (which keeps the first value and replaces it only by a strictly greater /
// smaller one): a NaN is never picked, except at index 0, which then stays the answer.
TBT_FN(ArgReduce) {
  auto op = StringArg(info, 0);
  at::Tensor x = TensorArg(info, 1);
  int64_t axis = IntArg(info, 2);
  if (x.scalar_type() == at::kBool) x = x.to(at::kInt);  // libtorch has no argmax for bool
  bool is_max = op == "ArgMax";
  at::Tensor r;
  if (at::isFloatingType(x.scalar_type()) && x.numel() > 0 && x.size(axis) > 0) {
    auto nan = at::isnan(x);
    double fill = is_max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    auto clean = at::where(nan, at::full({}, fill, x.options()), x);
    r = is_max ? at::argmax(clean, axis) : at::argmin(clean, axis);
    r = at::where(nan.select(axis, 0), at::zeros_like(r), r);
  } else {
    r = is_max ? at::argmax(x, axis) : at::argmin(x, axis);
  }
  return Handle(info, r.to(at::kInt));
}

}  // namespace

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce, "argReduce"));
}

}  // namespace tbt
