// Element-wise kernels: unary maths, binary maths with NumPy broadcasting (the same rules in
// TF.js and libtorch), comparisons, logic, casts and activations. Ops are looked up by their
// TF.js kernel name in a static table, so the JS side calls one entry point per arity.
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include <ATen/Parallel.h>

#include "tensors.h"

namespace tbt {
namespace {

using Unary = std::function<at::Tensor(const at::Tensor&)>;
using Binary = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

bool IsInt(const at::Tensor& t) { return !at::isFloatingType(t.scalar_type()) && t.scalar_type() != at::kBool; }

// TF.js keeps int32 results of int32 inputs in an Int32Array, so a non-integral result is stored
// as JS's ToInt32 does: NaN and +-inf become 0, others truncate toward zero and wrap modulo 2^32.
// (libtorch's float -> int cast is undefined for those, in practice INT_MIN.)
at::Tensor JsToInt32(const at::Tensor& x) {
  if (!at::isFloatingType(x.scalar_type())) return x.to(at::kInt);
  auto d = x.to(at::kDouble);
  d = at::where(at::isfinite(d), d.trunc(), at::zeros_like(d));
  return at::fmod(d, 4294967296.0).to(at::kLong).to(at::kInt);  // int64 -> int32 keeps the low 32 bits
}

// Unary ops whose libtorch result for int32 input is int32 (or bool) and equals TF.js's; the
// others run on int32 input in double and are stored as TF.js does (JsToInt32).
bool IntClosed(const std::string& op) {
  static const std::unordered_set<std::string> ops = {"Abs",  "Neg",   "Square",   "Sign",  "Relu",  "Relu6",
                                                      "Ceil", "Floor", "Round",    "IsNan", "IsInf", "IsFinite"};
  return ops.count(op) > 0;
}

const std::unordered_map<std::string, Unary>& UnaryOps() {
  static const std::unordered_map<std::string, Unary> ops = {
      {"Abs", [](const at::Tensor& x) { return at::abs(x); }},
      {"Acos", [](const at::Tensor& x) { return at::acos(x); }},
      {"Acosh", [](const at::Tensor& x) { return at::acosh(x); }},
      {"Asin", [](const at::Tensor& x) { return at::asin(x); }},
      {"Asinh", [](const at::Tensor& x) { return at::asinh(x); }},
      {"Atan", [](const at::Tensor& x) { return at::atan(x); }},
      {"Atanh", [](const at::Tensor& x) { return at::atanh(x); }},
      {"Ceil", [](const at::Tensor& x) { return at::ceil(x); }},
      {"Cos", [](const at::Tensor& x) { return at::cos(x); }},
      {"Cosh", [](const at::Tensor& x) { return at::cosh(x); }},
      {"Elu", [](const at::Tensor& x) { return at::elu(x); }},
      {"Erf", [](const at::Tensor& x) { return at::erf(x); }},
      {"Exp", [](const at::Tensor& x) { return at::exp(x); }},
      {"Expm1", [](const at::Tensor& x) { return at::expm1(x); }},
      {"Floor", [](const at::Tensor& x) { return at::floor(x); }},
      {"IsFinite", [](const at::Tensor& x) { return at::isfinite(x); }},
      {"IsInf", [](const at::Tensor& x) { return at::isinf(x); }},
      {"IsNan", [](const at::Tensor& x) { return at::isnan(x); }},
      {"Log", [](const at::Tensor& x) { return at::log(x); }},
      {"Log1p", [](const at::Tensor& x) { return at::log1p(x); }},
      {"LogicalNot", [](const at::Tensor& x) { return at::logical_not(x); }},
      {"Neg", [](const at::Tensor& x) { return at::neg(x); }},
      {"Reciprocal", [](const at::Tensor& x) { return at::reciprocal(x); }},
      {"Relu", [](const at::Tensor& x) { return at::relu(x); }},
      {"Relu6", [](const at::Tensor& x) { return at::clamp(x, 0, 6); }},
      {"Round", [](const at::Tensor& x) { return at::round(x); }},
      {"Rsqrt", [](const at::Tensor& x) { return at::rsqrt(x); }},
      {"Selu", [](const at::Tensor& x) { return at::selu(x); }},
      {"Sigmoid", [](const at::Tensor& x) { return at::sigmoid(x); }},
      {"Sign", [](const at::Tensor& x) { return at::where(at::isnan(x), at::zeros_like(x), at::sign(x)); }},
      {"Sin", [](const at::Tensor& x) { return at::sin(x); }},
      {"Sinh", [](const at::Tensor& x) { return at::sinh(x); }},
      {"Softplus", [](const at::Tensor& x) { return at::softplus(x); }},
      {"Sqrt", [](const at::Tensor& x) { return at::sqrt(x); }},
      {"Square", [](const at::Tensor& x) { return at::square(x); }},
      {"Tan", [](const at::Tensor& x) { return at::tan(x); }},
      {"Tanh", [](const at::Tensor& x) { return at::tanh(x); }},
  };
  return ops;
}

const std::unordered_map<std::string, Binary>& BinaryOps() {
  static const std::unordered_map<std::string, Binary> ops = {
      {"Add", [](const at::Tensor& a, const at::Tensor& b) { return at::add(a, b); }},
      {"Sub", [](const at::Tensor& a, const at::Tensor& b) { return at::sub(a, b); }},
      {"Multiply", [](const at::Tensor& a, const at::Tensor& b) { return at::mul(a, b); }},
      {"RealDiv",
       [](const at::Tensor& a, const at::Tensor& b) {
         // TF.js keeps int32 / int32 as int32 (truncated; x / 0 gives 0); torch would return floats.
         if (IsInt(a) && IsInt(b)) return JsToInt32(at::div(a.to(at::kDouble), b.to(at::kDouble)));
         return at::div(a, b);
       }},
      // TF.js's FloorDiv is int32 whatever its inputs (floor(a / b) stored as ToInt32: x / 0 gives
      // 0); libtorch keeps float inputs' dtype and throws on an integer division by zero.
      {"FloorDiv",
       [](const at::Tensor& a, const at::Tensor& b) {
         return JsToInt32(at::floor(at::div(a.to(at::kDouble), b.to(at::kDouble))));
       }},
      {"Mod",
       [](const at::Tensor& a, const at::Tensor& b) {
         if (!(IsInt(a) && IsInt(b))) return at::remainder(a, b);
         // int32 x mod 0 is NaN in JS, stored as 0; libtorch throws on it.
         auto zero = b == 0;
         return at::where(zero, at::zeros({}, a.options()), at::remainder(a, at::where(zero, at::ones({}, b.options()), b)));
       }},
      {"Maximum", [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); }},
      {"Minimum", [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); }},
      {"Pow",
       [](const at::Tensor& a, const at::Tensor& b) {
         auto y = at::pow(a, b);
         if (!at::isFloatingType(y.scalar_type())) return y;
         // JS's Math.pow gives NaN for (+-1) ** (NaN or +-inf); C's pow gives 1.
         auto js_nan = at::abs(a).eq(1).logical_and(at::isfinite(b).logical_not());
         return at::where(js_nan, at::full({}, NAN, y.options()), y);
       }},
      {"SquaredDifference", [](const at::Tensor& a, const at::Tensor& b) { return at::square(at::sub(a, b)); }},
      {"Atan2",
       [](const at::Tensor& a, const at::Tensor& b) {
         // int32 inputs give int32 in TF.js (truncated).
         if (IsInt(a) && IsInt(b)) return JsToInt32(at::atan2(a.to(at::kDouble), b.to(at::kDouble)));
         return at::atan2(a, b);
       }},
      {"Equal", [](const at::Tensor& a, const at::Tensor& b) { return at::eq(a, b); }},
      {"NotEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ne(a, b); }},
      {"Less", [](const at::Tensor& a, const at::Tensor& b) { return at::lt(a, b); }},
      {"LessEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::le(a, b); }},
      {"Greater", [](const at::Tensor& a, const at::Tensor& b) { return at::gt(a, b); }},
      {"GreaterEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ge(a, b); }},
      {"LogicalAnd", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_and(a, b); }},
      {"LogicalOr", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_or(a, b); }},
      {"LogicalXor", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_xor(a, b); }},
      {"Prelu", [](const at::Tensor& x, const at::Tensor& alpha) { return at::where(x < 0, x * alpha, x); }},
      {"EluGrad", [](const at::Tensor& dy, const at::Tensor& y) { return at::where(y >= 0, dy, dy * (y + 1)); }},
  };
  return ops;
}

// unary(op, x): handle
TBT_FN(UnaryOp) {
  auto name = StringArg(info, 0);
  auto it = UnaryOps().find(name);
  if (it == UnaryOps().end()) throw Napi::Error::New(info.Env(), "unary: no native kernel " + name);
  const auto& x = TensorArg(info, 1);
  // TF.js's unary ops keep an int32 input's dtype: compute in double, store as an Int32Array does.
  // (Bool inputs of arithmetic ops are sent to the CPU kernel by the JS side.)
  if (x.scalar_type() == at::kInt && !IntClosed(name)) {
    auto y = it->second(x.to(at::kDouble));
    if (name == "Exp") return Handle(info, y.to(at::kFloat));  // the one that TF.js makes float32
    return Handle(info, at::isFloatingType(y.scalar_type()) ? JsToInt32(y) : y);
  }
  return Handle(info, it->second(x));
}

// binary(op, a, b): handle. The result's dtype is the one TF.js expects from its inputs.
TBT_FN(BinaryOp) {
  auto name = StringArg(info, 0);
  auto it = BinaryOps().find(name);
  if (it == BinaryOps().end()) throw Napi::Error::New(info.Env(), "binary: no native kernel " + name);
  return Handle(info, it->second(TensorArg(info, 1), TensorArg(info, 2)));
}

// cast(x, dtype): float -> int32 as JS's Int32Array.from does (NaN, +-inf -> 0, wraps).
TBT_FN(Cast) {
  const auto& x = TensorArg(info, 0);
  auto type = ScalarTypeOf(StringArg(info, 1));
  return Handle(info, type == at::kInt ? JsToInt32(x) : x.to(type));
}

// step(x, alpha): x > 0 ? 1 : alpha, NaN stays NaN.
// Branch-free so the compiler vectorises it (a branchy loop mispredicts on random signs: 13 ms for
// 2M elements, against 1 ms for Multiply); built for AVX2 and for any x86-64, picked at load time.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
void StepLoop(const float* src, float* dst, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) {
    float v = src[i];
    float r = v > 0.0f ? 1.0f : alpha;
    dst[i] = v != v ? v : r;
  }
}

// It is the relu gradient TF.js computes on every training step, so float32 gets one fused pass
// instead of the five libtorch ops (compare, two fills, isnan, two wheres) it would otherwise take.
TBT_FN(Step) {
  const auto& x = TensorArg(info, 0);
  double alpha = NumberArg(info, 1);
  if (x.scalar_type() != at::kFloat) {
    auto out = at::where(x > 0, at::ones_like(x), at::full_like(x, alpha));
    return Handle(info, at::where(at::isnan(x), x, out));
  }
  auto in = x.contiguous();
  auto out = at::empty_like(in, at::MemoryFormat::Contiguous);
  const float* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const float a = static_cast<float>(alpha);
  at::parallel_for(0, in.numel(), 32768, [&](int64_t begin, int64_t end) { StepLoop(src + begin, dst + begin, end - begin, a); });
  return Handle(info, out);
}

// clip(x, min, max)
// TF.js keeps an int32 input's dtype (the bounds truncate toward zero); libtorch would promote
// int32 clamped by float bounds to float.
TBT_FN(Clip) {
  const auto& x = TensorArg(info, 0);
  auto y = at::clamp(x, NumberArg(info, 1), NumberArg(info, 2));
  return Handle(info, IsInt(x) ? JsToInt32(y) : y);
}

// leakyRelu(x, alpha). libtorch's own kernel: one pass, where `where(x < 0, x * alpha, x)` made
// three and two temporaries (half of darknet-tiny's inference time; bench/transfer_features.ts).
TBT_FN(LeakyRelu) {
  const auto& x = TensorArg(info, 0);
  const double alpha = NumberArg(info, 1);
  return Handle(info, x.is_floating_point() ? at::leaky_relu(x, alpha) : at::where(x < 0, x * alpha, x));
}

// select(condition, a, b): TF.js lets a rank-1 condition pick whole rows of a and b.
TBT_FN(Select) {
  auto cond = TensorArg(info, 0);
  const auto& a = TensorArg(info, 1);
  const auto& b = TensorArg(info, 2);
  if (cond.dim() == 1 && a.dim() > 1) {
    std::vector<int64_t> shape(a.dim(), 1);
    shape[0] = cond.size(0);
    cond = cond.reshape(shape);
  }
  return Handle(info, at::where(cond.to(at::kBool), a, b));
}

// addN(handles[])
TBT_FN(AddN) {
  auto handles = IntsArg(info, 0);
  at::Tensor sum = Get(static_cast<int32_t>(handles[0])).clone();
  for (size_t k = 1; k < handles.size(); k++) sum.add_(Get(static_cast<int32_t>(handles[k])));
  return Handle(info, sum);
}

// fill(shape, value, dtype)
TBT_FN(Fill) {
  auto shape = IntsArg(info, 0);
  return Handle(info, at::full(shape, NumberArg(info, 1), at::TensorOptions().dtype(ScalarTypeOf(StringArg(info, 2)))));
}

// hasUnary(op) / hasBinary(op): which names the tables hold, so JS registers exactly those.
TBT_FN(UnaryNames) {
  auto arr = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (const auto& kv : UnaryOps()) arr.Set(k++, kv.first);
  return arr;
}

TBT_FN(BinaryNames) {
  auto arr = Napi::Array::New(info.Env());
  uint32_t k = 0;
  for (const auto& kv : BinaryOps()) arr.Set(k++, kv.first);
  return arr;
}

}  // namespace

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, UnaryOp, "unary"));
  exports.Set("binary", Napi::Function::New(env, BinaryOp, "binary"));
  exports.Set("cast", Napi::Function::New(env, Cast, "cast"));
  exports.Set("step", Napi::Function::New(env, Step, "step"));
  exports.Set("clip", Napi::Function::New(env, Clip, "clip"));
  exports.Set("leakyRelu", Napi::Function::New(env, LeakyRelu, "leakyRelu"));
  exports.Set("select", Napi::Function::New(env, Select, "select"));
  exports.Set("addN", Napi::Function::New(env, AddN, "addN"));
  exports.Set("fill", Napi::Function::New(env, Fill, "fill"));
  exports.Set("unaryNames", Napi::Function::New(env, UnaryNames, "unaryNames"));
  exports.Set("binaryNames", Napi::Function::New(env, BinaryNames, "binaryNames"));
}

}  // namespace tbt
