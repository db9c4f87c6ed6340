// The native step's convolutions, pools and padding. They see NHWC data as channels-last NCHW views.
#include <limits>

#include "step_ops.h"

namespace tbt::step {
namespace {

// NHWC -> NCHW view (channels-last memory) and back.
at::Tensor ToNCHW(const at::Tensor& x) { return x.permute({0, 3, 1, 2}); }
at::Tensor ToNHWC(const at::Tensor& y) { return y.permute({0, 2, 3, 1}); }

// Pads an NHWC tensor's H and W: a new NHWC-contiguous tensor whose border alone is filled and
// whose inside is one copy of x (constant_pad_nd fills the whole output, then copies, and its
// output is NCHW-contiguous; ~10x slower on MobileNetV2's early activations). Differentiable.
at::Tensor PadNHWC(const at::Tensor& x, const Pads& p, double value) {
  int64_t n = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
  auto out = at::empty({n, h + p.top + p.bottom, w + p.left + p.right, c},
                       x.options().memory_format(at::MemoryFormat::Contiguous));
  {
    at::NoGradGuard no_grad;
    if (p.top > 0) out.narrow(1, 0, p.top).fill_(value);
    if (p.bottom > 0) out.narrow(1, p.top + h, p.bottom).fill_(value);
    auto rows = out.narrow(1, p.top, h);
    if (p.left > 0) rows.narrow(2, 0, p.left).fill_(value);
    if (p.right > 0) rows.narrow(2, p.left + w, p.right).fill_(value);
  }
  out.narrow(1, p.top, h).narrow(2, p.left, w).copy_(x);
  return out;
}

// Pads an NCHW tensor's H and W by `pads`, leaving the symmetric part to the op (returned in sym).
at::Tensor PadFor(const at::Tensor& x, const Pads& pads, double value, std::vector<int64_t>* sym) {
  int64_t sh = std::min(pads.top, pads.bottom), sw = std::min(pads.left, pads.right);
  *sym = {sh, sw};
  if (pads.top == sh && pads.bottom == sh && pads.left == sw && pads.right == sw) return x;
  // Kept channels-last (the NCHW view of an NHWC tensor), so that the op runs its channels-last kernels.
  Pads rest{pads.top - sh, pads.bottom - sh, pads.left - sw, pads.right - sw};
  return ToNCHW(PadNHWC(x.permute({0, 2, 3, 1}), rest, value));
}

// The filter (OIHW view of TF.js's [fh, fw, in, out] or depthwise [fh, fw, in, mult]) and bias of a
// convolution, with the batch norm after it folded in: conv(x, w) * s + (beta - mean * s),
// s = gamma * rsqrt(variance + epsilon).
std::pair<at::Tensor, c10::optional<at::Tensor>> Filter(const ForwardState& s, const Conv2DArgs& args) {
  const auto& kern = s.params[args.kernel];
  auto w = args.depthwise
               ? kern.permute({2, 3, 0, 1}).reshape({kern.size(2) * kern.size(3), 1, kern.size(0), kern.size(1)})
               : kern.permute({3, 2, 0, 1});
  c10::optional<at::Tensor> bias;
  if (args.bias >= 0) bias = s.params[args.bias];
  if (args.folded) {
    const BatchNormArgs& bn = *args.folded;
    auto scale = at::rsqrt(s.params[bn.moving_variance] + bn.epsilon);
    if (bn.gamma >= 0) scale = scale * s.params[bn.gamma];
    auto shift = (bias ? *bias : at::zeros_like(scale)) - s.params[bn.moving_mean];
    shift = shift * scale;
    if (bn.beta >= 0) shift = shift + s.params[bn.beta];
    w = w * scale.reshape({-1, 1, 1, 1});
    bias = shift;
  }
  return {w, bias};
}

// Inference: the prepared filter of op (see PreparedFilter), made again when a parameter changed.
const PreparedFilter& Prepared(const ForwardState& s, const Op& op, const Conv2DArgs& args) {
  std::vector<int> used{args.kernel, args.bias};
  if (args.folded) {
    const BatchNormArgs& bn = *args.folded;
    used.insert(used.end(), {bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance});
  }
  std::vector<at::Tensor> from;
  std::vector<int64_t> versions;
  for (int k : used)
    if (k >= 0) from.push_back(s.params[k]), versions.push_back(s.params[k]._version());
  auto& p = op.prepared;
  bool same = p && p->versions == versions;
  for (size_t j = 0; same && j < from.size(); j++) same = p->from[j].is_same(from[j]);
  if (!same) {
    auto [w, bias] = Filter(s, args);
    p = std::make_shared<PreparedFilter>(
        PreparedFilter{std::move(from), std::move(versions), w.contiguous(at::MemoryFormat::ChannelsLast),
                       bias ? c10::optional<at::Tensor>(bias->contiguous()) : c10::nullopt});
  }
  return *p;
}

}  // namespace

at::Tensor RunConv2D(ForwardState& s, size_t, const Op& op) {
  const auto& args = std::get<Conv2DArgs>(op.args);
  std::vector<int64_t> sym;
  auto xin = PadFor(ToNCHW(s.In(op)), args.pads, 0, &sym);
  const int64_t groups = args.depthwise ? s.params[args.kernel].size(2) : 1;
  at::Tensor y;
  if (!s.training) {
    const PreparedFilter& f = Prepared(s, op, args);
    y = at::convolution(xin, f.weight, f.bias, {args.strides[0], args.strides[1]}, sym,
                        {args.dilations[0], args.dilations[1]}, false, {0, 0}, groups);
  } else {
    auto [w, bias] = Filter(s, args);
    y = at::convolution(xin, w, bias, {args.strides[0], args.strides[1]}, sym, {args.dilations[0], args.dilations[1]},
                        false, {0, 0}, groups);
  }
  return ActivateOutput(ToNHWC(y), args.activation, op.in_place);
}

at::Tensor RunPool(ForwardState& s, size_t, const Op& op) {
  const auto& args = std::get<PoolArgs>(op.args);
  std::vector<int64_t> sym;
  auto xin = PadFor(ToNCHW(s.In(op)), args.pads, args.max ? -std::numeric_limits<double>::infinity() : 0, &sym);
  auto y = args.max ? at::max_pool2d(xin, {args.size[0], args.size[1]}, {args.strides[0], args.strides[1]}, sym)
                    : at::avg_pool2d(xin, {args.size[0], args.size[1]}, {args.strides[0], args.strides[1]}, sym,
                                     false, false);
  return ToNHWC(y);
}

at::Tensor RunGlobalAvgPool(ForwardState& s, size_t, const Op& op) { return s.In(op).mean({1, 2}); }

at::Tensor RunGlobalMaxPool(ForwardState& s, size_t, const Op& op) { return s.In(op).amax({1, 2}); }

at::Tensor RunZeroPad(ForwardState& s, size_t, const Op& op) {
  const at::Tensor& a = s.In(op);
  const Pads& p = std::get<ZeroPadArgs>(op.args).pads;
  return a.dim() == 4 ? PadNHWC(a, p, 0) : at::constant_pad_nd(a, {0, 0, p.left, p.right, p.top, p.bottom}, 0);
}

}  // namespace tbt::step
