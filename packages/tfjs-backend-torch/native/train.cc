// The native training step: a tfjs-layers network compiled once into a list of ops, then one
// call per batch that gathers the batch from the training tensors, runs the forward pass, the
// loss (tfjs-layers' own formulas), libtorch's autograd backward and TF.js's Adam update, on
// the very libtorch tensors that back the TF.js variables (updated in place where nobody else
// shares their storage, otherwise the handle is pointed at the new value). The same compiled
// forward serves inference and evaluation.
//
// Why: for a small network the cost of a TF.js step is not in its kernels but around them
// (tfjs-layers' symbolic apply, the gradient tape, ~3.6 us per kernel for a few hundred
// kernels); a Spotify-sized MLP step is ~4.5 ms through TF.js and ~0.2 ms here.
//
// Layouts are TF.js's: activations NHWC, conv filters [fh, fw, in, out], depthwise
// [fh, fw, in, mult]. Convolutions and pools see NHWC data as channels-last NCHW views.
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <cstdlib>

#include <limits>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "tensors.h"

namespace tbt {
namespace {

struct Op {
  std::string op;             // dense, activation, dropout, batchnorm, conv2d, pool, gap, gmp, flatten, add, concat, ...
  std::vector<int> in;        // value slots (0: the network's input; op k writes slot k + 1)
  std::vector<int> p;         // parameter indices, -1 where absent
  std::string s;              // activation name, pool kind
  std::vector<double> f;      // numbers: rate, epsilon, momentum, alpha, max value
  std::vector<int64_t> i;     // integers: strides, pads, dilations, kernel, axis, shape
};

struct Program {
  std::vector<Op> ops;
  std::vector<double> l1, l2;  // per parameter, the L1L2 regulariser's coefficients (0: none)
  bool binary = false;         // one sigmoid output (binary cross-entropy) or a softmax (categorical)
  bool dropout = false;
  std::vector<int> last_use;   // per value slot, the last op that reads it (-1: none; the output: ops.size())
  std::vector<int> fold_into;  // per op: for a linear conv2d whose output only a batch norm reads, that op; else -1
  std::vector<bool> folded;    // per op: a batch norm folded into the convolution before it (in inference)
};

std::unordered_map<int32_t, std::unique_ptr<Program>>& Programs() {
  static std::unordered_map<int32_t, std::unique_ptr<Program>> programs;
  return programs;
}
int32_t next_program = 1;

const Program& ProgramArg(const Napi::CallbackInfo& info, size_t i) {
  auto it = Programs().find(static_cast<int32_t>(IntArg(info, i)));
  if (it == Programs().end()) throw std::runtime_error("trainStep: unknown program");
  return *it->second;
}

template <typename T>
std::vector<T> Numbers(const Napi::Object& o, const char* key) {
  std::vector<T> out;
  if (!o.Has(key)) return out;
  auto arr = o.Get(key).As<Napi::Array>();
  for (uint32_t k = 0; k < arr.Length(); k++) out.push_back(static_cast<T>(arr.Get(k).As<Napi::Number>().DoubleValue()));
  return out;
}

at::Tensor Activate(const at::Tensor& x, const std::string& a) {
  if (a == "linear" || a.empty()) return x;
  if (a == "relu") return at::relu(x);
  if (a == "relu6") return at::hardtanh(x, 0, 6);  // one pass (and one in backward), as PyTorch's ReLU6
  if (a == "elu") return at::elu(x);
  if (a == "selu") return at::selu(x);
  if (a == "sigmoid") return at::sigmoid(x);
  if (a == "tanh") return at::tanh(x);
  if (a == "softplus") return at::softplus(x);
  if (a == "softsign") return x / (x.abs() + 1);
  if (a == "hardSigmoid") return at::clamp(x * 0.2 + 0.5, 0, 1);
  if (a == "softmax") return at::softmax(x, -1);
  if (a == "logSoftmax") return at::log_softmax(x, -1);
  if (a == "swish") return at::sigmoid(x) * x;
  if (a == "mish") return x * at::tanh(at::softplus(x));
  if (a == "gelu") return x * ((x / std::sqrt(2.0)).erf() + 1) * 0.5;
  if (a == "gelu_new")
    return ((((x.pow(3) * 0.044715) + x) * std::sqrt(2.0 / M_PI)).tanh() + 1) * x * 0.5;
  throw std::runtime_error("trainStep: unknown activation " + a);
}

// The activation in place, on a tensor nothing else reads (inference only).
at::Tensor ActivateInPlace(at::Tensor x, const std::string& a) {
  if (a == "linear" || a.empty()) return x;
  if (a == "relu") return x.relu_();
  if (a == "relu6") return x.clamp_(0, 6);
  if (a == "sigmoid") return x.sigmoid_();
  if (a == "tanh") return x.tanh_();
  return Activate(x, a);
}

// NHWC -> NCHW view (channels-last memory) and back.
at::Tensor ToNCHW(const at::Tensor& x) { return x.permute({0, 3, 1, 2}); }
at::Tensor ToNHWC(const at::Tensor& y) { return y.permute({0, 2, 3, 1}); }

// Pads an NHWC tensor's H and W: a new NHWC-contiguous tensor whose border alone is filled and
// whose inside is one copy of x (constant_pad_nd fills the whole output, then copies, and its
// output is NCHW-contiguous; ~10x slower on MobileNetV2's early activations). Differentiable.
at::Tensor PadNHWC(const at::Tensor& x, int64_t top, int64_t bottom, int64_t left, int64_t right, double value) {
  int64_t n = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  auto out = at::empty({n, h + top + bottom, w + left + right, c}, x.options().memory_format(at::MemoryFormat::Contiguous));
  {
    at::NoGradGuard no_grad;
    if (top > 0) out.narrow(1, 0, top).fill_(value);
    if (bottom > 0) out.narrow(1, top + h, bottom).fill_(value);
    auto rows = out.narrow(1, top, h);
    if (left > 0) rows.narrow(2, 0, left).fill_(value);
    if (right > 0) rows.narrow(2, left + w, right).fill_(value);
  }
  out.narrow(1, top, h).narrow(2, left, w).copy_(x);
  return out;
}

// Pads an NCHW tensor's H and W by [top, bottom, left, right] (TF.js's 'same' may be asymmetric),
// leaving the symmetric part to the op (returned in sym).
at::Tensor PadFor(const at::Tensor& x, const std::vector<int64_t>& pads, double value, std::vector<int64_t>* sym) {
  int64_t sh = std::min(pads[0], pads[1]), sw = std::min(pads[2], pads[3]);
  *sym = {sh, sw};
  if (pads[0] == sh && pads[1] == sh && pads[2] == sw && pads[3] == sw) return x;
  // Kept channels-last (the NCHW view of an NHWC tensor), so that the op runs its channels-last kernels.
  return ToNCHW(PadNHWC(x.permute({0, 2, 3, 1}), pads[0] - sh, pads[1] - sh, pads[2] - sw, pads[3] - sw, value));
}

struct Moving {
  int param;
  at::Tensor value;
};

// The forward pass. training: dropout on (masks drawn from the step seed *gen), batch norm on batch statistics,
// whose moving averages (tfjs-layers' update) are collected in `moving`. Each value is dropped after its last
// reader (autograd keeps what backward needs). In inference: batch norms after a linear convolution are folded
// into its filter and bias, and activations and residual adds run in place on values nobody else reads.
at::Tensor Forward(const Program& prog, const at::Tensor& x, const std::vector<at::Tensor>& params, bool training,
                   const uint64_t* gen, std::vector<Moving>* moving) {
  std::vector<at::Tensor> v(prog.ops.size() + 1);
  v[0] = x;
  auto P = [&](int k) -> const at::Tensor* { return k >= 0 ? &params[k] : nullptr; };
  // v[j] moved out when op k is its last reader and reads it once (so that the op may overwrite it).
  auto take = [&](size_t k, int j) -> at::Tensor {
    if (j == 0 || prog.last_use[j] != static_cast<int>(k)) return v[j];
    int reads = 0;
    for (int i : prog.ops[k].in) reads += i == j;
    return reads == 1 ? std::move(v[j]) : v[j];
  };
  // Storage that an in-place op must never write: the caller's input and the parameters.
  std::unordered_set<const c10::StorageImpl*> fixed;
  if (!training) {
    fixed.insert(x.storage().unsafeGetStorageImpl());
    for (const auto& p : params)
      if (p.defined()) fixed.insert(p.storage().unsafeGetStorageImpl());
  }
  // Whether t (moved out of its slot) shares its memory with nothing: no other holder, no other live value.
  auto writable = [&](const at::Tensor& t) {
    if (!t.defined() || t.use_count() != 1) return false;
    const auto* st = t.storage().unsafeGetStorageImpl();
    if (fixed.count(st)) return false;
    for (const auto& u : v)
      if (u.defined() && u.storage().unsafeGetStorageImpl() == st) return false;
    return true;
  };
  for (size_t k = 0; k < prog.ops.size(); k++) {
    const Op& op = prog.ops[k];
    const at::Tensor& a = v[op.in[0]];
    at::Tensor y;
    if (!training && (op.op == "activation" || op.op == "relu" || op.op == "add")) {
      at::Tensor t = take(k, op.in[0]);
      bool same = true;  // an in-place add does not broadcast its first input
      for (size_t j = 1; j < op.in.size(); j++) same = same && v[op.in[j]].sizes() == t.sizes();
      if (same && writable(t)) {
        if (op.op == "activation") {
          y = ActivateInPlace(t, op.s);
        } else if (op.op == "relu") {
          y = std::isnan(op.f[0]) ? t.relu_() : t.clamp_(0, op.f[0]);
        } else {
          y = t;
          for (size_t j = 1; j < op.in.size(); j++) y.add_(v[op.in[j]]);
        }
        v[k + 1] = y;
        for (int j : op.in)
          if (j != 0 && prog.last_use[j] == static_cast<int>(k)) v[j].reset();
        continue;
      }
      if (op.in[0] != 0 && !v[op.in[0]].defined()) v[op.in[0]] = std::move(t);
    }
    if (op.op == "dense") {
      const at::Tensor* b = P(op.p[1]);
      y = a.dim() == 2 && b ? at::addmm(*b, a, params[op.p[0]]) : at::matmul(a, params[op.p[0]]);
      if (b && a.dim() != 2) y = y + *b;
      y = training ? Activate(y, op.s) : ActivateInPlace(y, op.s);
    } else if (op.op == "activation") {
      y = Activate(a, op.s);
    } else if (op.op == "relu") {  // f: [maxValue or NaN]
      y = at::relu(a);
      if (!std::isnan(op.f[0])) y = at::clamp(y, 0, op.f[0]);
    } else if (op.op == "leakyrelu") {
      y = at::leaky_relu(a, op.f[0]);
    } else if (op.op == "dropout") {
      double keep = 1 - op.f[0];
      if (training && op.f[0] > 0 && op.f[0] < 1) {
        at::Tensor mask;
        {
          at::NoGradGuard no_grad;
          // TF.js's dropout mask, floor(u + keep) / keep with u uniform in [0, 1), drawn from
          // SplitMix64 seeded by (step seed, op): libtorch's mt19937 costs ~5 ns per element.
          mask = at::empty(a.sizes(), a.options().requires_grad(false).memory_format(at::MemoryFormat::Contiguous));
          float* mp = mask.data_ptr<float>();
          uint64_t state = *gen ^ (0x9E3779B97F4A7C15ull * (k + 1));
          const float scale = static_cast<float>(1 / keep);
          const double rate = op.f[0];
          for (int64_t j = 0, n = mask.numel(); j < n; j++) {
            uint64_t z = (state += 0x9E3779B97F4A7C15ull);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            double u = static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
            mp[j] = u >= rate ? scale : 0.0f;
          }
        }
        y = a * mask;
      } else {
        y = a;
      }
    } else if (op.op == "batchnorm" && !training && prog.folded[k]) {
      y = a;  // folded into the convolution that wrote a
    } else if (op.op == "batchnorm") {  // p: [gamma, beta, movingMean, movingVariance]; f: [epsilon, momentum]
      int64_t c = a.size(-1);
      auto cl = a.reshape({-1, 1, 1, c}).permute({0, 3, 1, 2});
      const at::Tensor* g = P(op.p[0]);
      const at::Tensor* b = P(op.p[1]);
      auto gamma = g ? *g : at::ones({c}, a.options());
      auto beta = b ? *b : at::zeros({c}, a.options());
      if (training) {
        auto r = at::native_batch_norm(cl, gamma, beta, {}, {}, true, 0.0, op.f[0]);
        y = std::get<0>(r).permute({0, 2, 3, 1}).reshape(a.sizes());
        at::NoGradGuard no_grad;
        auto mean = std::get<1>(r).detach();
        auto var = (std::get<2>(r).detach().pow(-2) - op.f[0]).clamp_min_(0);
        double decay = 1 - op.f[1];
        for (auto [k2, batch] : {std::pair<int, at::Tensor>{op.p[2], mean}, {op.p[3], var}}) {
          const auto& m = params[k2];
          moving->push_back({k2, m - (m - batch) * decay});
        }
      } else {
        // tfjs-core's batchNorm: (x - mean) * scale * rsqrt(variance + epsilon) + offset.
        auto inv = at::rsqrt(params[op.p[3]] + op.f[0]) * gamma;
        y = (a - params[op.p[2]]) * inv + beta;
      }
    } else if (op.op == "conv2d") {  // p: [kernel, bias]; i: [sh, sw, dh, dw, top, bottom, left, right, depthwise]
      const auto& kern = params[op.p[0]];
      bool depthwise = op.i[8] != 0;
      auto w = depthwise ? kern.permute({2, 3, 0, 1}).reshape({kern.size(2) * kern.size(3), 1, kern.size(0), kern.size(1)})
                         : kern.permute({3, 2, 0, 1});
      std::vector<int64_t> sym;
      auto xin = PadFor(ToNCHW(a), {op.i[4], op.i[5], op.i[6], op.i[7]}, 0, &sym);
      c10::optional<at::Tensor> bias;
      if (op.p[1] >= 0) bias = params[op.p[1]];
      if (!training && prog.fold_into[k] >= 0) {
        // The batch norm after it: conv(x, w) * s + (beta - mean * s), s = gamma * rsqrt(variance + epsilon).
        const Op& bn = prog.ops[prog.fold_into[k]];
        auto scale = at::rsqrt(params[bn.p[3]] + bn.f[0]);
        if (bn.p[0] >= 0) scale = scale * params[bn.p[0]];
        auto shift = (bias ? *bias : at::zeros_like(scale)) - params[bn.p[2]];
        shift = shift * scale;
        if (bn.p[1] >= 0) shift = shift + params[bn.p[1]];
        w = w * scale.reshape({-1, 1, 1, 1});
        bias = shift;
      }
      y = at::convolution(xin, w, bias, {op.i[0], op.i[1]}, sym, {op.i[2], op.i[3]}, false, {0, 0},
                          depthwise ? kern.size(2) : 1);
      y = training ? Activate(ToNHWC(y), op.s) : ActivateInPlace(ToNHWC(y), op.s);
    } else if (op.op == "pool") {  // s: max | avg; i: [kh, kw, sh, sw, top, bottom, left, right]
      std::vector<int64_t> sym;
      bool max = op.s == "max";
      auto xin = PadFor(ToNCHW(a), {op.i[4], op.i[5], op.i[6], op.i[7]},
                        max ? -std::numeric_limits<double>::infinity() : 0, &sym);
      y = max ? at::max_pool2d(xin, {op.i[0], op.i[1]}, {op.i[2], op.i[3]}, sym)
              : at::avg_pool2d(xin, {op.i[0], op.i[1]}, {op.i[2], op.i[3]}, sym, false, false);
      y = ToNHWC(y);
    } else if (op.op == "gap") {
      y = a.mean({1, 2});
    } else if (op.op == "gmp") {
      y = a.amax({1, 2});
    } else if (op.op == "flatten") {
      y = a.reshape({a.size(0), -1});
    } else if (op.op == "reshape") {  // i: the shape after the batch dim
      std::vector<int64_t> shape{a.size(0)};
      shape.insert(shape.end(), op.i.begin(), op.i.end());
      y = a.reshape(shape);
    } else if (op.op == "zeropad") {  // i: [top, bottom, left, right]
      y = a.dim() == 4 ? PadNHWC(a, op.i[0], op.i[1], op.i[2], op.i[3], 0)
                       : at::constant_pad_nd(a, {0, 0, op.i[2], op.i[3], op.i[0], op.i[1]}, 0);
    } else if (op.op == "add") {
      y = a;
      for (size_t j = 1; j < op.in.size(); j++) y = y + v[op.in[j]];
    } else if (op.op == "multiply") {
      y = a;
      for (size_t j = 1; j < op.in.size(); j++) y = y * v[op.in[j]];
    } else if (op.op == "concat") {  // i: [axis]
      std::vector<at::Tensor> xs;
      for (int j : op.in) xs.push_back(v[j]);
      y = at::cat(xs, op.i[0]);
    } else if (op.op == "identity") {
      y = a;
    } else {
      throw std::runtime_error("trainStep: unknown op " + op.op);
    }
    v[k + 1] = y;
    for (int j : op.in)
      if (j != 0 && prog.last_use[j] == static_cast<int>(k)) v[j].reset();
  }
  return v.back();
}

// Per-row loss as tfjs-layers computes it (losses.categoricalCrossentropy / binaryCrossentropy
// on the network's probabilities).
at::Tensor RowLoss(const Program& prog, const at::Tensor& y, const at::Tensor& out) {
  const double eps = 1e-7;
  if (!prog.binary) {
    auto p = at::clamp(out / out.sum(-1, true), eps, 1 - eps);
    return -(y * p.log()).sum(-1);
  }
  auto p = at::clamp(out, eps, 1 - eps);
  auto logits = (p / (1 - p)).log();
  return (at::relu(logits) - logits * y + at::log1p(at::exp(-logits.abs()))).mean(-1);
}

// Mean accuracy (tfjs-layers' categoricalAccuracy / binaryAccuracy).
double Accuracy(const Program& prog, const at::Tensor& y, const at::Tensor& out) {
  if (!prog.binary) return at::eq(y.argmax(-1), out.argmax(-1)).to(at::kFloat).mean().item<double>();
  return at::eq(y, at::gt(out, 0.5).to(y.scalar_type())).to(at::kFloat).mean().item<double>();
}

std::vector<at::Tensor> ParamsOf(const Napi::Int32Array& handles) {
  std::vector<at::Tensor> out;
  out.reserve(handles.ElementLength());
  for (size_t k = 0; k < handles.ElementLength(); k++) out.push_back(Get(handles[k]));
  return out;
}

// Rows `rows` of t (all of t when rows is undefined).
at::Tensor Rows(const at::Tensor& t, const at::Tensor& rows) { return rows.defined() ? t.index_select(0, rows) : t; }

// compileProgram({ ops: [{op, in, p, s, f, i}], l1: number[], l2: number[], binary: boolean }) -> id
TBT_FN(CompileProgram) {
  auto spec = info[0].As<Napi::Object>();
  auto prog = std::make_unique<Program>();
  auto ops = spec.Get("ops").As<Napi::Array>();
  for (uint32_t k = 0; k < ops.Length(); k++) {
    auto o = ops.Get(k).As<Napi::Object>();
    Op op;
    op.op = o.Get("op").As<Napi::String>().Utf8Value();
    op.in = Numbers<int>(o, "in");
    op.p = Numbers<int>(o, "p");
    if (o.Has("s")) op.s = o.Get("s").As<Napi::String>().Utf8Value();
    op.f = Numbers<double>(o, "f");
    op.i = Numbers<int64_t>(o, "i");
    if (op.in.empty()) throw std::runtime_error("compileProgram: op " + op.op + " without inputs");
    for (int j : op.in)
      if (j < 0 || j > static_cast<int>(k)) throw std::runtime_error("compileProgram: bad input slot");
    if (op.op == "dropout") prog->dropout = true;
    prog->ops.push_back(std::move(op));
  }
  size_t n = prog->ops.size();
  prog->last_use.assign(n + 1, -1);
  std::vector<int> readers(n + 1, 0);
  for (size_t k = 0; k < n; k++)
    for (int j : prog->ops[k].in) {
      prog->last_use[j] = static_cast<int>(k);
      readers[j]++;
    }
  prog->last_use[n] = static_cast<int>(n);  // the output outlives the loop
  prog->fold_into.assign(n, -1);
  prog->folded.assign(n, false);
  for (size_t k = 0; k + 1 < n; k++) {
    const Op& conv = prog->ops[k];
    if (conv.op != "conv2d" || !(conv.s == "linear" || conv.s.empty()) || readers[k + 1] != 1) continue;
    int r = prog->last_use[k + 1];
    const Op& bn = prog->ops[r];
    if (bn.op == "batchnorm" && bn.in.size() == 1 && bn.in[0] == static_cast<int>(k + 1)) {
      prog->fold_into[k] = r;
      prog->folded[r] = true;
    }
  }
  prog->l1 = Numbers<double>(spec, "l1");
  prog->l2 = Numbers<double>(spec, "l2");
  prog->binary = spec.Get("binary").As<Napi::Boolean>().Value();
  int32_t id = next_program++;
  Programs().emplace(id, std::move(prog));
  return Napi::Number::New(info.Env(), id);
}

TBT_FN(ReleaseProgram) {
  Programs().erase(static_cast<int32_t>(IntArg(info, 0)));
  return info.Env().Undefined();
}

at::Tensor RowsArg(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsNull() || info[i].IsUndefined()) return {};
  auto rows = info[i].As<Napi::Int32Array>();
  return at::from_blob(rows.Data(), {static_cast<int64_t>(rows.ElementLength())}, at::kInt).to(at::kLong);
}

// TBT_PROFILE_STEP=FILE: libtorch's profiler traces each training step or forward (until the
// returned guard goes) into FILE, for chrome://tracing. The variable is read once per process.
std::unique_ptr<torch::autograd::profiler::RecordProfile> ProfileIfAsked() {
  static const char* file = std::getenv("TBT_PROFILE_STEP");
  if (!file) return nullptr;
  return std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(file));
}

// trainStep(program, x, y, weights: Float32Array | null, rows: Int32Array | null, params: Int32Array,
//           trained: Int32Array, moments: Int32Array, hyper: Float64Array, seed, out: Float64Array)
//   x, y: the whole training tensors (or one batch, rows null); weights: a loss weight per row of x;
//   params: a handle per parameter; trained: the indices of those Adam updates, with moments
//   [m, v] handles and hyper [lr, beta1, beta2, epsilon, biasCorrection1, biasCorrection2] for each;
//   out <- [loss (row-weighted mean plus the penalties), accuracy].
TBT_FN(TrainStep) {
  const Program& prog = ProgramArg(info, 0);
  auto rows = RowsArg(info, 4);
  auto x = Rows(TensorArg(info, 1), rows);
  auto y = Rows(TensorArg(info, 2), rows);
  at::Tensor w;
  if (!info[3].IsNull() && !info[3].IsUndefined()) {
    auto wa = info[3].As<Napi::Float32Array>();
    w = Rows(at::from_blob(wa.Data(), {static_cast<int64_t>(wa.ElementLength())}, at::kFloat), rows);
    if (!rows.defined()) w = w.clone();
  }
  auto handles = info[5].As<Napi::Int32Array>();
  auto trained = info[6].As<Napi::Int32Array>();
  auto moments = info[7].As<Napi::Int32Array>();
  auto hyper = info[8].As<Napi::Float64Array>();
  auto seed = static_cast<uint64_t>(NumberArg(info, 9));
  auto out = info[10].As<Napi::Float64Array>();
  size_t nt = trained.ElementLength();
  if (moments.ElementLength() != 2 * nt || hyper.ElementLength() != 6 * nt)
    throw std::runtime_error("trainStep: moments or hyper of the wrong length");

  std::vector<at::Tensor> grads;
  std::vector<Moving> moving;
  double loss_value, accuracy;
  auto trace = ProfileIfAsked();
  {
    auto params = ParamsOf(handles);
    std::vector<at::Tensor> leaves;
    for (size_t k = 0; k < nt; k++) {
      auto& p = params[trained[k]];
      p = p.detach().requires_grad_(true);
      leaves.push_back(p);
    }
    uint64_t gen = seed;
    auto output = Forward(prog, x, params, true, &gen, &moving);
    auto row_loss = RowLoss(prog, y, output);
    if (w.defined()) row_loss = row_loss * w;
    auto loss = row_loss.mean();
    for (size_t k = 0; k < params.size(); k++) {
      if (k < prog.l1.size() && prog.l1[k] != 0) loss = loss + params[k].abs().sum() * prog.l1[k];
      if (k < prog.l2.size() && prog.l2[k] != 0) loss = loss + params[k].square().sum() * prog.l2[k];
    }
    grads = torch::autograd::grad({loss}, leaves, {}, false, false, true);
    at::NoGradGuard no_grad;
    loss_value = loss.item<double>();
    accuracy = Accuracy(prog, y, output.detach());
  }
  trace.reset();
  at::NoGradGuard no_grad;
  // TF.js's Adam (see optim.cc): m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g²;
  // value' = value - lr (m' / c1) / (sqrt(v' / c2) + eps).
  for (size_t k = 0; k < nt; k++) {
    if (!grads[k].defined()) continue;
    auto g = grads[k].contiguous();
    double lr = hyper[6 * k], b1 = hyper[6 * k + 1], b2 = hyper[6 * k + 2], eps = hyper[6 * k + 3];
    double c1 = hyper[6 * k + 4], c2 = hyper[6 * k + 5];
    // Exclusive, contiguous float tensors for the three, so that one pass updates them in place.
    at::Tensor* ts[3] = {&Slot(moments[2 * k]), &Slot(moments[2 * k + 1]), &Slot(handles[trained[k]])};
    for (auto* t : ts)
      if (!(t->use_count() == 1 && t->storage().use_count() == 1 && t->is_contiguous() &&
            t->scalar_type() == at::kFloat && t->numel() == g.numel()))
        *t = t->to(at::kFloat).clone(at::MemoryFormat::Contiguous);
    float* m = ts[0]->data_ptr<float>();
    float* v = ts[1]->data_ptr<float>();
    float* value = ts[2]->data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    // libtorch's lerp (weight < 0.5: m + w (g - m)), mul + addcmul, div + sqrt + add, addcdiv,
    // each rounded to float as those kernels do: the same values as optim.cc's separate ops.
    const float w1 = static_cast<float>(1 - b1), fb2 = static_cast<float>(b2), w2 = static_cast<float>(1 - b2);
    const float fc2 = static_cast<float>(c2), feps = static_cast<float>(eps), step = static_cast<float>(-lr / c1);
    at::parallel_for(0, g.numel(), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; j++) {
        float gj = gp[j];
        float mj = w1 < 0.5f ? m[j] + w1 * (gj - m[j]) : gj - (gj - m[j]) * (1 - w1);
        float vj = v[j] * fb2 + w2 * (gj * gj);
        m[j] = mj;
        v[j] = vj;
        value[j] = value[j] + step * (mj / (std::sqrt(vj / fc2) + feps));
      }
    });
  }
  for (auto& mv : moving) Slot(handles[mv.param]) = mv.value;
  out[0] = loss_value;
  out[1] = accuracy;
  return info.Env().Undefined();
}

// forwardProgram(program, x, params: Int32Array) -> handle: the network's output in inference mode.
TBT_FN(ForwardProgram) {
  const Program& prog = ProgramArg(info, 0);
  at::NoGradGuard no_grad;
  auto params = ParamsOf(info[2].As<Napi::Int32Array>());
  auto trace = ProfileIfAsked();
  auto y = Forward(prog, TensorArg(info, 1), params, false, nullptr, nullptr).contiguous();
  trace.reset();
  return Handle(info, y);
}

// evaluateProgram(program, x, y, params: Int32Array, batch, out: Float64Array) -> out <- [mean loss,
// mean accuracy] over every row, in inference mode, `batch` rows at a time.
TBT_FN(EvaluateProgram) {
  const Program& prog = ProgramArg(info, 0);
  at::NoGradGuard no_grad;
  const auto& x = TensorArg(info, 1);
  const auto& y = TensorArg(info, 2);
  auto params = ParamsOf(info[3].As<Napi::Int32Array>());
  int64_t batch = std::max<int64_t>(1, IntArg(info, 4));
  auto out = info[5].As<Napi::Float64Array>();
  double loss = 0, acc = 0;
  int64_t n = x.size(0);
  for (int64_t s = 0; s < n; s += batch) {
    int64_t len = std::min(batch, n - s);
    auto xb = x.narrow(0, s, len);
    auto yb = y.narrow(0, s, len);
    auto o = Forward(prog, xb, params, false, nullptr, nullptr);
    loss += RowLoss(prog, yb, o).mean().item<double>() * len;
    acc += Accuracy(prog, yb, o) * len;
  }
  out[0] = n > 0 ? loss / n : NAN;
  out[1] = n > 0 ? acc / n : NAN;
  return info.Env().Undefined();
}

// copy(x) -> a new handle on a copy of x's values (not sharing its storage).
TBT_FN(Copy) { return Handle(info, TensorArg(info, 0).clone(at::MemoryFormat::Contiguous)); }

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("compileProgram", Napi::Function::New(env, CompileProgram, "compileProgram"));
  exports.Set("releaseProgram", Napi::Function::New(env, ReleaseProgram, "releaseProgram"));
  exports.Set("trainStep", Napi::Function::New(env, TrainStep, "trainStep"));
  exports.Set("forwardProgram", Napi::Function::New(env, ForwardProgram, "forwardProgram"));
  exports.Set("evaluateProgram", Napi::Function::New(env, EvaluateProgram, "evaluateProgram"));
  exports.Set("copy", Napi::Function::New(env, Copy, "copy"));
}

}  // namespace tbt
