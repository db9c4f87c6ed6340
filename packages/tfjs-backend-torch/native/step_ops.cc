// The native step's dense, activation, normalisation, dropout, shape and merge ops (one function
// per op kind; the convolutions and pools are in step_conv_ops.cc).
#include <cmath>

#include "step_ops.h"

namespace tbt::step {

at::Tensor Activate(const at::Tensor& x, Act a) {
  switch (a) {
    case Act::kLinear: return x;
    case Act::kRelu: return at::relu(x);
    case Act::kRelu6: return at::hardtanh(x, 0, 6);  // one pass (and one in backward), as PyTorch's ReLU6
    case Act::kElu: return at::elu(x);
    case Act::kSelu: return at::selu(x);
    case Act::kSigmoid: return at::sigmoid(x);
    case Act::kTanh: return at::tanh(x);
    case Act::kSoftplus: return at::softplus(x);
    case Act::kSoftsign: return x / (x.abs() + 1);
    case Act::kHardSigmoid: return at::clamp(x * 0.2 + 0.5, 0, 1);
    case Act::kSoftmax: return at::softmax(x, -1);
    case Act::kLogSoftmax: return at::log_softmax(x, -1);
    case Act::kSwish: return at::sigmoid(x) * x;
    case Act::kMish: return x * at::tanh(at::softplus(x));
    case Act::kGelu: return x * ((x / std::sqrt(2.0)).erf() + 1) * 0.5;
    case Act::kGeluNew: return ((((x.pow(3) * 0.044715) + x) * std::sqrt(2.0 / M_PI)).tanh() + 1) * x * 0.5;
  }
  throw std::logic_error("step: an activation without a case");
}

at::Tensor ActivateInPlace(at::Tensor x, Act a) {
  switch (a) {
    case Act::kLinear: return x;
    case Act::kRelu: return x.relu_();
    case Act::kRelu6: return x.clamp_(0, 6);
    case Act::kSigmoid: return x.sigmoid_();
    case Act::kTanh: return x.tanh_();
    default: return Activate(x, a);
  }
}

at::Tensor RunDense(ForwardState& s, size_t, const Op& op) {
  const auto& args = std::get<DenseArgs>(op.args);
  const at::Tensor& a = s.In(op);
  const at::Tensor* b = s.Param(args.bias);
  at::Tensor y = a.dim() == 2 && b ? at::addmm(*b, a, s.params[args.kernel]) : at::matmul(a, s.params[args.kernel]);
  if (b && a.dim() != 2) y = y + *b;
  return ActivateOutput(std::move(y), args.activation, op.in_place);
}

at::Tensor RunActivation(ForwardState& s, size_t k, const Op& op) {
  Act act = std::get<ActivationArgs>(op.args).activation;
  if (op.in_place) {
    at::Tensor t = s.TakeWritable(k, op);
    if (t.defined()) return ActivateInPlace(t, act);
  }
  return Activate(s.In(op), act);
}

at::Tensor RunRelu(ForwardState& s, size_t k, const Op& op) {
  const auto& max = std::get<ReluArgs>(op.args).max_value;
  if (op.in_place) {
    at::Tensor t = s.TakeWritable(k, op);
    if (t.defined()) return max ? t.clamp_(0, *max) : t.relu_();
  }
  at::Tensor y = at::relu(s.In(op));
  if (max) y = at::clamp(y, 0, *max);
  return y;
}

at::Tensor RunLeakyRelu(ForwardState& s, size_t k, const Op& op) {
  const double alpha = std::get<LeakyReluArgs>(op.args).alpha;
  if (op.in_place) {
    at::Tensor t = s.TakeWritable(k, op);
    if (t.defined()) return at::leaky_relu_(t, alpha);
  }
  return at::leaky_relu(s.In(op), alpha);
}

// Training only (dropout is the identity in the inference program).
at::Tensor RunDropout(ForwardState& s, size_t k, const Op& op) {
  const at::Tensor& a = s.In(op);
  const double rate = std::get<DropoutArgs>(op.args).rate;
  if (!(rate > 0 && rate < 1)) return a;
  double keep = 1 - rate;
  at::Tensor mask;
  {
    at::NoGradGuard no_grad;
    // TF.js's dropout mask, floor(u + keep) / keep with u uniform in [0, 1), drawn from
    // SplitMix64 seeded by (step seed, op): libtorch's mt19937 costs ~5 ns per element.
    mask = at::empty(a.sizes(), a.options().requires_grad(false).memory_format(at::MemoryFormat::Contiguous));
    float* mp = mask.data_ptr<float>();
    uint64_t state = *s.gen ^ (0x9E3779B97F4A7C15ull * (k + 1));
    const float scale = static_cast<float>(1 / keep);
    for (int64_t j = 0, n = mask.numel(); j < n; j++) {
      uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      double u = static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
      mp[j] = u >= rate ? scale : 0.0f;
    }
  }
  return a * mask;
}

// Training: on the batch's statistics, collecting the new moving averages (tfjs-layers' update).
at::Tensor RunBatchNorm(ForwardState& s, size_t, const Op& op) {
  const auto& args = std::get<BatchNormArgs>(op.args);
  const at::Tensor& a = s.In(op);
  int64_t c = a.size(-1);
  auto cl = a.reshape({-1, 1, 1, c}).permute({0, 3, 1, 2});
  const at::Tensor* g = s.Param(args.gamma);
  const at::Tensor* b = s.Param(args.beta);
  auto gamma = g ? *g : at::ones({c}, a.options());
  auto beta = b ? *b : at::zeros({c}, a.options());
  auto r = at::native_batch_norm(cl, gamma, beta, {}, {}, true, 0.0, args.epsilon);
  at::Tensor y = std::get<0>(r).permute({0, 2, 3, 1}).reshape(a.sizes());
  at::NoGradGuard no_grad;
  auto mean = std::get<1>(r).detach();
  auto var = (std::get<2>(r).detach().pow(-2) - args.epsilon).clamp_min_(0);
  double decay = 1 - args.momentum;
  for (auto [k2, batch] : {std::pair<int, at::Tensor>{args.moving_mean, mean}, {args.moving_variance, var}}) {
    const auto& m = s.params[k2];
    s.moving->push_back({k2, m - (m - batch) * decay});
  }
  return y;
}

// Inference: tfjs-core's batchNorm, (x - mean) * scale * rsqrt(variance + epsilon) + offset.
at::Tensor RunBatchNormInference(ForwardState& s, size_t, const Op& op) {
  const auto& args = std::get<BatchNormArgs>(op.args);
  const at::Tensor& a = s.In(op);
  int64_t c = a.size(-1);
  const at::Tensor* g = s.Param(args.gamma);
  const at::Tensor* b = s.Param(args.beta);
  auto gamma = g ? *g : at::ones({c}, a.options());
  auto beta = b ? *b : at::zeros({c}, a.options());
  auto inv = at::rsqrt(s.params[args.moving_variance] + args.epsilon) * gamma;
  return (a - s.params[args.moving_mean]) * inv + beta;
}

at::Tensor RunFlatten(ForwardState& s, size_t, const Op& op) {
  const at::Tensor& a = s.In(op);
  return a.reshape({a.size(0), -1});
}

at::Tensor RunReshape(ForwardState& s, size_t, const Op& op) {
  const at::Tensor& a = s.In(op);
  const auto& target = std::get<ReshapeArgs>(op.args).shape;
  std::vector<int64_t> shape{a.size(0)};
  shape.insert(shape.end(), target.begin(), target.end());
  return a.reshape(shape);
}

at::Tensor RunAdd(ForwardState& s, size_t k, const Op& op) {
  if (op.in_place) {
    at::Tensor y = s.TakeWritable(k, op);
    if (y.defined()) {
      for (size_t j = 1; j < op.in.size(); j++) y.add_(s.In(op, j));
      return y;
    }
  }
  at::Tensor y = s.In(op);
  for (size_t j = 1; j < op.in.size(); j++) y = y + s.In(op, j);
  return y;
}

at::Tensor RunMultiply(ForwardState& s, size_t, const Op& op) {
  at::Tensor y = s.In(op);
  for (size_t j = 1; j < op.in.size(); j++) y = y * s.In(op, j);
  return y;
}

at::Tensor RunConcat(ForwardState& s, size_t, const Op& op) {
  std::vector<at::Tensor> xs;
  for (size_t j = 0; j < op.in.size(); j++) xs.push_back(s.In(op, j));
  return at::cat(xs, std::get<ConcatArgs>(op.args).axis);
}

at::Tensor RunIdentity(ForwardState& s, size_t, const Op& op) { return s.In(op); }

}  // namespace tbt::step
