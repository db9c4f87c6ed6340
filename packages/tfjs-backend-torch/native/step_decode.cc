// compileProgram's decoder: the spec that src/compile.ts builds ({ops, l1, l2, binary, and
// optionally loss and huberDelta}, each op with the named fields of its kind, src/program.ts) -> a Program. Every field is checked: a
// missing one, an unknown one, or one of the wrong type or size is refused with a message naming
// the op and the field, so that the two sides of the wire cannot drift apart unnoticed.
#include <cmath>
#include <set>
#include <stdexcept>

#include "step_program.h"

namespace tbt::step {
namespace {

const std::pair<const char*, Act> kActivations[] = {
    {"linear", Act::kLinear},   {"relu", Act::kRelu},         {"relu6", Act::kRelu6},
    {"elu", Act::kElu},         {"selu", Act::kSelu},         {"sigmoid", Act::kSigmoid},
    {"tanh", Act::kTanh},       {"softplus", Act::kSoftplus}, {"softsign", Act::kSoftsign},
    {"hardSigmoid", Act::kHardSigmoid}, {"softmax", Act::kSoftmax}, {"logSoftmax", Act::kLogSoftmax},
    {"swish", Act::kSwish},     {"mish", Act::kMish},         {"gelu", Act::kGelu},
    {"gelu_new", Act::kGeluNew},
};

// v as JSON, for messages.
std::string Json(const Napi::Value& v) {
  if (v.IsUndefined()) return "nothing";
  auto stringify = v.Env().Global().Get("JSON").As<Napi::Object>().Get("stringify").As<Napi::Function>();
  Napi::Value s = stringify.Call({v});
  return s.IsString() ? s.As<Napi::String>().Utf8Value() : "a function";
}

std::string ActivationNames() {
  std::string out;
  for (const auto& [name, act] : kActivations) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// An object's fields, read by name and checked; `where` names it in messages.
class Fields {
 public:
  Fields(const Napi::Object& o, std::string where) : o_(o), where_(std::move(where)) {}

  [[noreturn]] void Fail(const std::string& message) const {
    throw std::runtime_error("compileProgram: " + where_ + message);
  }
  [[noreturn]] void Expected(const char* field, const std::string& what, const Napi::Value& got) const {
    Fail(std::string(field) + " must be " + what + ", got " + Json(got));
  }

  // Whether the field is there (an optional one: read it only then).
  bool Has(const char* field) {
    read_.insert(field);
    return !o_.Get(field).IsUndefined();
  }
  Napi::Value Get(const char* field) {
    read_.insert(field);
    Napi::Value v = o_.Get(field);
    if (v.IsUndefined()) Fail(std::string(field) + " is missing");
    return v;
  }
  double Number(const char* field) {
    Napi::Value v = Get(field);
    if (!v.IsNumber()) Expected(field, "a number", v);
    return v.As<Napi::Number>().DoubleValue();
  }
  std::optional<double> NumberOrNull(const char* field) {
    Napi::Value v = Get(field);
    if (v.IsNull()) return std::nullopt;
    if (!v.IsNumber()) Expected(field, "a number or null", v);
    return v.As<Napi::Number>().DoubleValue();
  }
  bool Bool(const char* field) {
    Napi::Value v = Get(field);
    if (!v.IsBoolean()) Expected(field, "true or false", v);
    return v.As<Napi::Boolean>().Value();
  }
  std::string Text(const char* field) {
    Napi::Value v = Get(field);
    if (!v.IsString()) Expected(field, "a string", v);
    return v.As<Napi::String>().Utf8Value();
  }
  // count: the numbers the field must hold (0: any number of them).
  std::vector<double> Numbers(const char* field, size_t count = 0, bool integers = false) {
    Napi::Value v = Get(field);
    std::string what = (count ? std::to_string(count) + " " : std::string("an array of ")) +
                       (integers ? "integers" : "numbers");
    if (!v.IsArray()) Expected(field, what, v);
    auto arr = v.As<Napi::Array>();
    if (count && arr.Length() != count) Expected(field, what, v);
    std::vector<double> out;
    for (uint32_t k = 0; k < arr.Length(); k++) {
      Napi::Value e = arr.Get(k);
      if (!e.IsNumber()) Expected(field, what, v);
      double d = e.As<Napi::Number>().DoubleValue();
      if (integers && !(std::isfinite(d) && d == std::floor(d))) Expected(field, what, v);
      out.push_back(d);
    }
    return out;
  }
  std::vector<int64_t> Integers(const char* field, size_t count = 0) {
    auto ds = Numbers(field, count, true);
    return std::vector<int64_t>(ds.begin(), ds.end());
  }
  int64_t Integer(const char* field) {
    Napi::Value v = Get(field);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!(std::isfinite(d) && d == std::floor(d))) Expected(field, "an integer", v);
    return static_cast<int64_t>(d);
  }
  // A parameter's index in [0, params), or -1 where the parameter may be absent.
  int Param(const char* field, size_t params, bool optional) {
    int64_t i = Integer(field);
    if (i < (optional ? -1 : 0) || i >= static_cast<int64_t>(params))
      Expected(field,
               std::string("a parameter index below ") + std::to_string(params) + (optional ? " (or -1)" : ""),
               Get(field));
    return static_cast<int>(i);
  }
  Act Activation(const char* field) {
    std::string name = Text(field);
    for (const auto& [n, a] : kActivations)
      if (name == n) return a;
    Expected(field, "one of " + ActivationNames(), Get(field));
  }
  Pads PadsField(const char* field) {
    auto p = Integers(field, 4);
    return {p[0], p[1], p[2], p[3]};
  }
  // Refuses fields that nothing read: a field the other side of the wire added or misspelled.
  void Done() const {
    auto names = o_.GetPropertyNames();
    for (uint32_t k = 0; k < names.Length(); k++) {
      std::string name = names.Get(k).As<Napi::String>().Utf8Value();
      if (!read_.count(name)) Fail("unknown field " + name);
    }
  }

 private:
  Napi::Object o_;
  std::string where_;
  std::set<std::string> read_;
};

// Per op kind: its name on the wire, its inputs (1, or -1: one or more) and its fields' decoder.
struct OpSpec {
  const char* name;
  OpKind kind;
  int inputs;
  OpArgs (*decode)(Fields& f, size_t params);
};

OpArgs NoFields(Fields&, size_t) { return NoArgs{}; }

const OpSpec kOps[] = {
    {"dense", OpKind::kDense, 1,
     [](Fields& f, size_t n) -> OpArgs {
       return DenseArgs{f.Param("kernel", n, false), f.Param("bias", n, true), f.Activation("activation")};
     }},
    {"activation", OpKind::kActivation, 1,
     [](Fields& f, size_t) -> OpArgs { return ActivationArgs{f.Activation("activation")}; }},
    {"relu", OpKind::kRelu, 1, [](Fields& f, size_t) -> OpArgs { return ReluArgs{f.NumberOrNull("maxValue")}; }},
    {"leakyrelu", OpKind::kLeakyRelu, 1,
     [](Fields& f, size_t) -> OpArgs { return LeakyReluArgs{f.Number("alpha")}; }},
    {"dropout", OpKind::kDropout, 1, [](Fields& f, size_t) -> OpArgs { return DropoutArgs{f.Number("rate")}; }},
    {"batchnorm", OpKind::kBatchNorm, 1,
     [](Fields& f, size_t n) -> OpArgs {
       return BatchNormArgs{f.Param("gamma", n, true),       f.Param("beta", n, true),
                            f.Param("movingMean", n, false), f.Param("movingVariance", n, false),
                            f.Number("epsilon"),             f.Number("momentum"),
                            f.Bool("frozen")};
     }},
    {"conv2d", OpKind::kConv2D, 1,
     [](Fields& f, size_t n) -> OpArgs {
       Conv2DArgs a{};
       a.kernel = f.Param("kernel", n, false);
       a.bias = f.Param("bias", n, true);
       a.activation = f.Activation("activation");
       auto strides = f.Integers("strides", 2);
       auto dilations = f.Integers("dilations", 2);
       a.strides[0] = strides[0], a.strides[1] = strides[1];
       a.dilations[0] = dilations[0], a.dilations[1] = dilations[1];
       a.pads = f.PadsField("pads");
       a.depthwise = f.Bool("depthwise");
       return a;
     }},
    {"pool", OpKind::kPool, 1,
     [](Fields& f, size_t) -> OpArgs {
       PoolArgs a{};
       std::string kind = f.Text("kind");
       if (kind != "max" && kind != "avg") f.Expected("kind", "\"max\" or \"avg\"", f.Get("kind"));
       a.max = kind == "max";
       auto size = f.Integers("size", 2);
       auto strides = f.Integers("strides", 2);
       a.size[0] = size[0], a.size[1] = size[1];
       a.strides[0] = strides[0], a.strides[1] = strides[1];
       a.pads = f.PadsField("pads");
       return a;
     }},
    {"gap", OpKind::kGlobalAvgPool, 1, NoFields},
    {"gmp", OpKind::kGlobalMaxPool, 1, NoFields},
    {"flatten", OpKind::kFlatten, 1, NoFields},
    {"reshape", OpKind::kReshape, 1, [](Fields& f, size_t) -> OpArgs { return ReshapeArgs{f.Integers("shape")}; }},
    {"zeropad", OpKind::kZeroPad, 1, [](Fields& f, size_t) -> OpArgs { return ZeroPadArgs{f.PadsField("pads")}; }},
    {"add", OpKind::kAdd, -1, NoFields},
    {"multiply", OpKind::kMultiply, -1, NoFields},
    {"concat", OpKind::kConcat, -1, [](Fields& f, size_t) -> OpArgs { return ConcatArgs{f.Integer("axis")}; }},
    {"identity", OpKind::kIdentity, 1, NoFields},
};

Op DecodeOp(const Napi::Value& value, size_t k, size_t params) {
  std::string at = "op " + std::to_string(k);
  if (!value.IsObject() || value.IsArray())
    throw std::runtime_error("compileProgram: " + at + " must be an object, got " + Json(value));
  Op op;
  op.name = Fields(value.As<Napi::Object>(), at + ": ").Text("op");
  const OpSpec* spec = nullptr;
  for (const auto& s : kOps)
    if (op.name == s.name) spec = &s;
  if (!spec) throw std::runtime_error("compileProgram: " + at + ": unknown op \"" + op.name + "\"");
  op.kind = spec->kind;
  Fields f(value.As<Napi::Object>(), at + " (" + op.name + "): ");
  f.Get("op");
  auto in = f.Integers("in");
  bool ok = spec->inputs == 1 ? in.size() == 1 : !in.empty();
  for (int64_t j : in) ok = ok && j >= 0 && j <= static_cast<int64_t>(k);
  if (!ok)
    f.Expected("in", std::string(spec->inputs == 1 ? "one value slot" : "value slots") + " (0 to " +
                         std::to_string(k) + ")",
               f.Get("in"));
  op.in.assign(in.begin(), in.end());
  op.args = spec->decode(f, params);
  f.Done();
  if (op.kind == OpKind::kBatchNorm && std::get<BatchNormArgs>(op.args).frozen) op.kind = OpKind::kBatchNormInference;
  return op;
}

}  // namespace

std::unique_ptr<Program> DecodeProgram(const Napi::Object& spec) {
  Fields f(spec, "");
  auto prog = std::make_unique<Program>();
  prog->l1 = f.Numbers("l1");
  prog->l2 = f.Numbers("l2");
  if (prog->l1.size() != prog->l2.size()) f.Expected("l2", "as long as l1", f.Get("l2"));
  prog->binary = f.Bool("binary");
  // loss and huberDelta are optional: a spec without them is cross-entropy, as before they existed.
  std::string loss = f.Has("loss") ? f.Text("loss") : "crossentropy";
  if (loss == "mse") prog->loss = Loss::kMse;
  else if (loss == "huber") prog->loss = Loss::kHuber;
  else if (loss != "crossentropy") f.Expected("loss", "\"crossentropy\", \"mse\" or \"huber\"", f.Get("loss"));
  if (f.Has("huberDelta")) {
    if (prog->loss != Loss::kHuber) f.Fail("huberDelta is for the huber loss only");
    prog->huber_delta = f.Number("huberDelta");
    if (!(std::isfinite(prog->huber_delta) && prog->huber_delta > 0))
      f.Expected("huberDelta", "a positive number", f.Get("huberDelta"));
  }
  Napi::Value ops = f.Get("ops");
  if (!ops.IsArray()) f.Expected("ops", "an array of ops", ops);
  auto arr = ops.As<Napi::Array>();
  for (uint32_t k = 0; k < arr.Length(); k++) prog->train.push_back(DecodeOp(arr.Get(k), k, prog->l1.size()));
  f.Done();
  size_t n = prog->train.size();
  prog->last_use.assign(n + 1, -1);
  for (size_t k = 0; k < n; k++)
    for (int j : prog->train[k].in) prog->last_use[j] = static_cast<int>(k);
  prog->last_use[n] = static_cast<int>(n);  // the output outlives the loop
  prog->inference = InferenceOps(prog->train, prog->last_use);
  return prog;
}

}  // namespace tbt::step
