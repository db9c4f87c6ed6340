// The native training step's runtime: the compiled programs (step_program.h; decoded and
// rewritten for inference by step_decode.cc and step_rewrites.cc), and one call per batch that
// gathers the batch from the training tensors, runs the forward pass (step_forward.cc), the loss
// (tfjs-layers' own formulas), libtorch's autograd backward and TF.js's Adam update, on the very
// libtorch tensors that back the TF.js variables (updated in place where nobody else shares their
// storage, otherwise the handle is pointed at the new value). The inference program serves
// predict and evaluate.
//
// Why: for a small network the cost of a TF.js step is not in its kernels but around them
// (tfjs-layers' symbolic apply, the gradient tape, ~3.6 us per kernel for a few hundred
// kernels); a Spotify-sized MLP step is ~4.5 ms through TF.js and ~0.2 ms here.
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "dist.h"
#include "step_program.h"
#include "tensors.h"

namespace tbt {
namespace {

using step::Forward;
using step::Moving;
using step::Program;

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

// Per-row loss: cross-entropy as tfjs-layers computes it (losses.categoricalCrossentropy /
// binaryCrossentropy on the network's probabilities); for numeric targets [rows, outputs] the
// squared error or torch's huber_loss, each averaged over the outputs (so that the mean over the
// rows is torch's reduction "mean" over every element, and a row weight scales a whole row).
at::Tensor RowLoss(const Program& prog, const at::Tensor& y, const at::Tensor& out) {
  const double eps = 1e-7;
  if (prog.loss == step::Loss::kMse) return (out - y.to(out.scalar_type())).square().mean(-1);
  if (prog.loss == step::Loss::kHuber)
    return at::huber_loss(out, y.to(out.scalar_type()), at::Reduction::None, prog.huber_delta).mean(-1);
  if (!prog.binary) {
    auto p = at::clamp(out / out.sum(-1, true), eps, 1 - eps);
    return -(y * p.log()).sum(-1);
  }
  auto p = at::clamp(out, eps, 1 - eps);
  auto logits = (p / (1 - p)).log();
  return (at::relu(logits) - logits * y + at::log1p(at::exp(-logits.abs()))).mean(-1);
}

// Mean accuracy (tfjs-layers' categoricalAccuracy / binaryAccuracy); NaN for numeric targets.
double Accuracy(const Program& prog, const at::Tensor& y, const at::Tensor& out) {
  if (prog.loss != step::Loss::kCrossEntropy) return NAN;
  if (!prog.binary) return at::eq(y.argmax(-1), out.argmax(-1)).to(at::kFloat).mean().item<double>();
  return at::eq(y, at::gt(out, 0.5).to(y.scalar_type())).to(at::kFloat).mean().item<double>();
}

// The tensors behind a program's parameter handles (as many as it has parameters: its ops' indices
// were checked against that number when it was compiled).
std::vector<at::Tensor> ParamsOf(const Program& prog, const Napi::Int32Array& handles, const char* fn) {
  if (handles.ElementLength() != prog.l1.size())
    throw std::runtime_error(std::string(fn) + ": " + std::to_string(handles.ElementLength()) +
                             " parameter handles for a program of " + std::to_string(prog.l1.size()));
  std::vector<at::Tensor> out;
  out.reserve(handles.ElementLength());
  for (size_t k = 0; k < handles.ElementLength(); k++) out.push_back(Get(handles[k]));
  return out;
}

// Rows `rows` of t (all of t when rows is undefined).
at::Tensor Rows(const at::Tensor& t, const at::Tensor& rows) { return rows.defined() ? t.index_select(0, rows) : t; }

// compileProgram({ ops, l1, l2, binary, loss?, huberDelta? }) -> id. The ops' fields: src/program.ts; each is checked
// (step_decode.cc), and a malformed op is refused with a message naming it and the field.
TBT_FN(CompileProgram) {
  if (info.Length() < 1 || !info[0].IsObject()) throw std::runtime_error("compileProgram: expected a program spec");
  auto prog = step::DecodeProgram(info[0].As<Napi::Object>());
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
//           trained: Int32Array, moments: Int32Array, hyper: Float64Array, seed, out: Float64Array,
//           gradientScale = 1)
//   x, y: the whole training tensors (or one batch, rows null); weights: a loss weight per row of x;
//   params: a handle per parameter; trained: the indices of those Adam updates, with moments
//   [m, v] handles and hyper [lr, beta1, beta2, epsilon, biasCorrection1, biasCorrection2] for each;
//   out <- [loss (row-weighted mean plus the penalties), accuracy].
//   With a data-parallel group (dist.cc), before the update: the gradients are scaled by gradientScale
//   (this rank's rows / the global batch's) and summed over the ranks, the batch-norm moving statistics
//   averaged, and out is the global batch's (each rank's scaled by gradientScale, summed): every rank
//   then applies the same update to the same values.
//   By default the gradients are reduced bucket by bucket during the backward (DistBeginOverlap)
//   when they make more than one bucket;
//   TBT_DIST_OVERLAP=0: all of them after it (DistReduceStep). The same sums either way (bit for
//   bit with 2 ranks; with more, other bucket boundaries may let the ring add in another order).
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
  double gradient_scale = info.Length() > 11 && !info[11].IsUndefined() ? NumberArg(info, 11) : 1;
  size_t nt = trained.ElementLength();
  if (moments.ElementLength() != 2 * nt || hyper.ElementLength() != 6 * nt)
    throw std::runtime_error("trainStep: moments or hyper of the wrong length");

  // Data-parallel steps are timed (distStepStats); a single process's step reads no clock.
  const bool dist = DistActive();
  const auto started = dist ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  std::unique_ptr<OverlapStep> overlap;
  std::vector<at::Tensor> grads;
  std::vector<Moving> moving;
  double loss_value, accuracy;
  auto trace = ProfileIfAsked();
  {
    auto params = ParamsOf(prog, handles, "trainStep");
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
    if (dist && DistOverlap(leaves)) {
      // Data-parallel, overlapped (dist.h): the buckets need the metrics and moving statistics
      // before the backward; each leaf's hook sends its gradient on as soon as the backward has it.
      {
        at::NoGradGuard no_grad;
        loss_value = loss.item<double>();
        accuracy = Accuracy(prog, y, output.detach());
      }
      std::vector<at::Tensor> values;
      for (auto& mv : moving) values.push_back(mv.value);
      double metrics[2] = {loss_value, accuracy};
      overlap = DistBeginOverlap(leaves, gradient_scale, values, metrics, 2);
      torch::autograd::backward({loss}, {}, false, false, leaves);
    } else {
      grads = torch::autograd::grad({loss}, leaves, {}, false, false, true);
      at::NoGradGuard no_grad;
      loss_value = loss.item<double>();
      accuracy = Accuracy(prog, y, output.detach());
    }
  }
  trace.reset();
  at::NoGradGuard no_grad;
  if (overlap) {
    std::vector<at::Tensor> values;
    values.reserve(moving.size());
    for (auto& mv : moving) values.push_back(mv.value);
    double metrics[2];
    overlap->Finish(grads, values, metrics);
    for (size_t k = 0; k < moving.size(); k++) moving[k].value = values[k];
    loss_value = metrics[0];
    accuracy = metrics[1];
  } else if (dist) {
    std::vector<at::Tensor> values;
    values.reserve(moving.size());
    for (auto& mv : moving) values.push_back(mv.value);
    double metrics[2] = {loss_value, accuracy};
    DistReduceStep(grads, gradient_scale, values, metrics, 2);
    for (size_t k = 0; k < moving.size(); k++) moving[k].value = values[k];
    loss_value = metrics[0];
    accuracy = metrics[1];
  }
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
    // Written through raw pointers: say so, for what is kept per version (PreparedFilter).
    for (auto* t : ts) t->unsafeGetTensorImpl()->bump_version();
  }
  for (auto& mv : moving) Slot(handles[mv.param]) = mv.value;
  out[0] = loss_value;
  out[1] = accuracy;
  if (dist)
    DistRecordStep(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  return info.Env().Undefined();
}

// forwardProgram(program, x, params: Int32Array) -> handle: the network's output in inference mode.
TBT_FN(ForwardProgram) {
  const Program& prog = ProgramArg(info, 0);
  at::NoGradGuard no_grad;
  auto params = ParamsOf(prog, info[2].As<Napi::Int32Array>(), "forwardProgram");
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
  auto params = ParamsOf(prog, info[3].As<Napi::Int32Array>(), "evaluateProgram");
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
    acc += Accuracy(prog, yb, o) * len;  // NaN throughout for numeric targets
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
