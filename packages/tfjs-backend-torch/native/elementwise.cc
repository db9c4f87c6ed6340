// Element-wise kernels: unary maths, binary maths with NumPy broadcasting (the same rules in
// TF.js and libtorch), comparisons, logic, casts and activations. Ops are looked up by their
// TF.js kernel name in a static table, so the JS side calls one entry point per arity.
#include <functional>
#include <unordered_map>

#include "tensors.h"

namespace tbt {
namespace {

using Unary = std::function<at::Tensor(const at::Tensor&)>;
using Binary = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

bool IsInt(const at::Tensor& t) { return !at::isFloatingType(t.scalar_type()) && t.scalar_type() != at::kBool; }

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
         // TF.js keeps int32 / int32 as int32 (truncated); torch would return floats.
         auto q = at::div(a, b);
         return IsInt(a) && IsInt(b) ? q.to(at::kInt) : q;
       }},
      {"FloorDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(a, b, "floor"); }},
      {"Mod", [](const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); }},
      {"Maximum", [](const at::Tensor& a, const at::Tensor& b) { return at::maximum(a, b); }},
      {"Minimum", [](const at::Tensor& a, const at::Tensor& b) { return at::minimum(a, b); }},
      {"Pow", [](const at::Tensor& a, const at::Tensor& b) { return at::pow(a, b); }},
      {"SquaredDifference", [](const at::Tensor& a, const at::Tensor& b) { return at::square(at::sub(a, b)); }},
      {"Atan2", [](const at::Tensor& a, const at::Tensor& b) { return at::atan2(a, b); }},
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
  return Handle(info, it->second(TensorArg(info, 1)));
}

// binary(op, a, b): handle. The result's dtype is the one TF.js expects from its inputs.
TBT_FN(BinaryOp) {
  auto name = StringArg(info, 0);
  auto it = BinaryOps().find(name);
  if (it == BinaryOps().end()) throw Napi::Error::New(info.Env(), "binary: no native kernel " + name);
  return Handle(info, it->second(TensorArg(info, 1), TensorArg(info, 2)));
}

// cast(x, dtype)
TBT_FN(Cast) { return Handle(info, TensorArg(info, 0).to(ScalarTypeOf(StringArg(info, 1)))); }

// step(x, alpha): x > 0 ? 1 : alpha, NaN stays NaN.
TBT_FN(Step) {
  const auto& x = TensorArg(info, 0);
  double alpha = NumberArg(info, 1);
  auto out = at::where(x > 0, at::ones_like(x), at::full_like(x, alpha));
  return Handle(info, at::where(at::isnan(x), x, out));
}

// clip(x, min, max)
// TF.js keeps an int32 input's dtype (the bounds truncate toward zero); libtorch would promote
// int32 clamped by float bounds to float.
TBT_FN(Clip) {
  const auto& x = TensorArg(info, 0);
  auto y = at::clamp(x, NumberArg(info, 1), NumberArg(info, 2));
  return Handle(info, y.scalar_type() == x.scalar_type() ? y : y.to(x.scalar_type()));
}

// leakyRelu(x, alpha)
TBT_FN(LeakyRelu) {
  const auto& x = TensorArg(info, 0);
  return Handle(info, at::where(x < 0, x * NumberArg(info, 1), x));
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
