// Convolutions, pooling and normalisation (NHWC in TF.js, channels-last in libtorch).
//
// A TF.js NHWC tensor permuted to [N, C, H, W] is libtorch's channels-last memory format, with
// no copy; libtorch's CPU convolutions (oneDNN) and pools run on it natively and return
// channels-last results, which permute back to contiguous NHWC, again with no copy.
//
// Padding: TF.js resolves every padding mode ('same', 'valid', explicit, and dimRoundingMode) to
// a leading pad and an output size. The JS side passes, per spatial dim, [before, after] where
// `after` is the trailing pad that yields exactly that output size (negative when trailing input
// rows are never read). libtorch pads symmetrically, so the part both sides share is left to
// libtorch and the rest is applied explicitly (see Plan / Extend), e.g. TF's SAME padding with an
// even total is asymmetric and costs one padded copy of the input.
#include <limits>

#include "tensors.h"

namespace tbt {
namespace {

// [N, spatial..., C] -> [N, C, spatial...] (a view; no-op for data that is channels-first already).
at::Tensor ToTorch(const at::Tensor& x, bool channels_first) {
  if (channels_first) return x;
  std::vector<int64_t> perm{0, x.dim() - 1};
  for (int64_t d = 1; d < x.dim() - 1; d++) perm.push_back(d);
  return x.permute(perm);
}

// [N, C, spatial...] -> [N, spatial..., C], contiguous (free when the result is channels-last).
at::Tensor FromTorch(const at::Tensor& y, bool channels_first) {
  if (channels_first) return y.contiguous();
  std::vector<int64_t> perm{0};
  for (int64_t d = 2; d < y.dim(); d++) perm.push_back(d);
  perm.push_back(1);
  return y.permute(perm).contiguous();
}

// How a window op's padding is split between libtorch (symmetric) and an explicit pad or crop.
struct Window {
  std::vector<int64_t> sym;    // per spatial dim, padding libtorch applies on both sides
  std::vector<int64_t> extra;  // [before0, after0, before1, …]: applied explicitly; negative crops
  bool HasExtra() const {
    for (auto e : extra)
      if (e != 0) return true;
    return false;
  }
};

// pads = [before0, after0, …]; max_sym caps libtorch's padding per dim (pools allow kernel / 2).
Window Plan(const std::vector<int64_t>& pads, const std::vector<int64_t>& max_sym = {}) {
  Window w;
  for (size_t i = 0; i < pads.size() / 2; i++) {
    int64_t p = std::max<int64_t>(0, std::min(pads[2 * i], pads[2 * i + 1]));
    if (!max_sym.empty()) p = std::min(p, max_sym[i]);
    w.sym.push_back(p);
    w.extra.push_back(pads[2 * i] - p);
    w.extra.push_back(pads[2 * i + 1] - p);
  }
  return w;
}

// Pads the spatial dims (2, 3, …) of x by `extra` with `value`, cropping where an amount is negative.
// Keeps x's memory format (channels-last stays channels-last).
at::Tensor Extend(at::Tensor x, const std::vector<int64_t>& extra, double value) {
  auto format = x.suggest_memory_format();
  size_t k = extra.size() / 2;
  for (size_t i = 0; i < k; i++) {
    auto dim = static_cast<int64_t>(2 + i);
    int64_t start = std::max<int64_t>(0, -extra[2 * i]);
    int64_t end = x.size(dim) - std::max<int64_t>(0, -extra[2 * i + 1]);
    if (start > 0 || end < x.size(dim)) x = x.narrow(dim, start, std::max<int64_t>(0, end - start));
  }
  std::vector<int64_t> torch_pad;  // libtorch lists the last dim first
  bool any = false;
  for (size_t i = k; i-- > 0;) {
    torch_pad.push_back(std::max<int64_t>(0, extra[2 * i]));
    torch_pad.push_back(std::max<int64_t>(0, extra[2 * i + 1]));
    any = any || extra[2 * i] > 0 || extra[2 * i + 1] > 0;
  }
  if (any) x = at::constant_pad_nd(x, torch_pad, value).contiguous(format);
  return x;
}

// The inverse of Extend for a gradient: crops what was padded, zero-fills what was cropped.
at::Tensor Unextend(const at::Tensor& dx, const std::vector<int64_t>& extra) {
  std::vector<int64_t> neg;
  for (auto e : extra) neg.push_back(-e);
  return Extend(dx, neg, 0);
}

// The shape, in libtorch's layout, of an input of TF.js shape `shape` after Extend.
std::vector<int64_t> ExtendedShape(std::vector<int64_t> shape, bool channels_first, const Window& w) {
  if (!channels_first) {
    int64_t c = shape.back();
    shape.pop_back();
    shape.insert(shape.begin() + 1, c);
  }
  for (size_t i = 0; i < w.sym.size(); i++) shape[2 + i] += w.extra[2 * i] + w.extra[2 * i + 1];
  return shape;
}

at::MemoryFormat LayoutOf(int64_t rank, bool channels_first) {
  if (channels_first) return at::MemoryFormat::Contiguous;
  return rank == 5 ? at::MemoryFormat::ChannelsLast3d : at::MemoryFormat::ChannelsLast;
}

// TF.js filter -> libtorch weight. Conv: [fh, fw, in, out] -> [out, in, fh, fw].
// Depthwise: [fh, fw, in, mult] -> [in * mult, 1, fh, fw] (output channel c * mult + m, groups = in).
at::Tensor Weight(const at::Tensor& filter, bool depthwise) {
  if (!depthwise) return filter.permute({3, 2, 0, 1});
  return filter.permute({2, 3, 0, 1}).reshape({filter.size(2) * filter.size(3), 1, filter.size(0), filter.size(1)});
}

// conv2d(x, filter, bias | -1, prelu | -1, strides, pads, dilations, depthwise, channelsFirst,
//        activation, leakyAlpha): Conv2D, DepthwiseConv2dNative and their fused forms.
TBT_FN(Conv2d) {
  bool channels_first = BoolArg(info, 8);
  auto x = ToTorch(TensorArg(info, 0), channels_first);
  const auto& filter = TensorArg(info, 1);
  int64_t bias_h = IntArg(info, 2);
  int64_t prelu_h = IntArg(info, 3);
  auto strides = IntsArg(info, 4);
  auto window = Plan(IntsArg(info, 5));
  auto dilations = IntsArg(info, 6);
  bool depthwise = BoolArg(info, 7);
  auto activation = StringArg(info, 9);
  double leaky_alpha = NumberArg(info, 10);
  auto w = Weight(filter, depthwise);
  int64_t groups = depthwise ? filter.size(2) : 1;
  c10::optional<at::Tensor> conv_bias;
  const at::Tensor* bias = bias_h >= 0 ? &Get(static_cast<int32_t>(bias_h)) : nullptr;
  // A per-channel bias goes into the convolution itself (oneDNN adds it in the same pass).
  if (bias != nullptr && bias->dim() == 1 && bias->size(0) == w.size(0)) {
    conv_bias = *bias;
    bias = nullptr;
  }
  auto y = at::convolution(Extend(x, window.extra, 0), w, conv_bias, strides, window.sym, dilations, false, {0, 0},
                           groups);
  y = FromTorch(y, channels_first);
  if (bias != nullptr) {
    if (at::infer_size(y.sizes(), bias->sizes()) == y.sizes().vec()) {
      y.add_(*bias);
    } else {
      y = y + *bias;
    }
  }
  const at::Tensor* prelu = prelu_h >= 0 ? &Get(static_cast<int32_t>(prelu_h)) : nullptr;
  return Handle(info, ActivateFused(y, activation, prelu, leaky_alpha));
}

// conv2dBackpropInput(dy, filter, inputShape, strides, pads, dilations, depthwise, channelsFirst):
// the gradient of conv2d with respect to its input, of TF.js shape inputShape.
TBT_FN(Conv2dBackpropInput) {
  bool channels_first = BoolArg(info, 7);
  auto dy = ToTorch(TensorArg(info, 0), channels_first);
  const auto& filter = TensorArg(info, 1);
  auto input_shape = IntsArg(info, 2);
  auto strides = IntsArg(info, 3);
  auto window = Plan(IntsArg(info, 4));
  auto dilations = IntsArg(info, 5);
  bool depthwise = BoolArg(info, 6);
  auto w = Weight(filter, depthwise);
  int64_t groups = depthwise ? filter.size(2) : 1;
  // convolution_backward reads only the input's shape when it computes the input's gradient.
  auto input = at::empty(ExtendedShape(input_shape, channels_first, window),
                         dy.options().memory_format(LayoutOf(4, channels_first)));
  auto grads = at::convolution_backward(dy, input, w, c10::nullopt, strides, window.sym, dilations, false, {0, 0},
                                        groups, {true, false, false});
  return Handle(info, FromTorch(Unextend(std::get<0>(grads), window.extra), channels_first));
}

// conv2dBackpropFilter(x, dy, filterShape, strides, pads, dilations, depthwise, channelsFirst):
// the gradient of conv2d with respect to its filter, in TF.js's filter layout.
TBT_FN(Conv2dBackpropFilter) {
  bool channels_first = BoolArg(info, 7);
  auto x = ToTorch(TensorArg(info, 0), channels_first);
  auto dy = ToTorch(TensorArg(info, 1), channels_first);
  auto fs = IntsArg(info, 2);  // [fh, fw, in, out | mult]
  auto strides = IntsArg(info, 3);
  auto window = Plan(IntsArg(info, 4));
  auto dilations = IntsArg(info, 5);
  bool depthwise = BoolArg(info, 6);
  int64_t groups = depthwise ? fs[2] : 1;
  std::vector<int64_t> wshape =
      depthwise ? std::vector<int64_t>{fs[2] * fs[3], 1, fs[0], fs[1]} : std::vector<int64_t>{fs[3], fs[2], fs[0], fs[1]};
  // Only the weight's shape is read when computing the weight's gradient.
  auto w = at::empty(wshape, x.options());
  auto grads = at::convolution_backward(dy, Extend(x, window.extra, 0), w, c10::nullopt, strides, window.sym,
                                        dilations, false, {0, 0}, groups, {false, true, false});
  auto gw = std::get<1>(grads);
  gw = depthwise ? gw.reshape({fs[2], fs[3], fs[0], fs[1]}).permute({2, 3, 0, 1}) : gw.permute({2, 3, 1, 0});
  return Handle(info, gw.contiguous());
}

std::vector<int64_t> Halves(const std::vector<int64_t>& kernel) {
  std::vector<int64_t> h;
  for (auto k : kernel) h.push_back(k / 2);
  return h;
}

at::Tensor MaxPoolWithIndices(const at::Tensor& x, const std::vector<int64_t>& kernel,
                              const std::vector<int64_t>& strides, const Window& w, at::Tensor* indices) {
  std::vector<int64_t> ones(kernel.size(), 1);
  auto r = kernel.size() == 2 ? at::max_pool2d_with_indices(x, kernel, strides, w.sym, ones, false)
                              : at::max_pool3d_with_indices(x, kernel, strides, w.sym, ones, false);
  *indices = std::get<1>(r);
  return std::get<0>(r);
}

at::Tensor AvgPool(const at::Tensor& x, const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                   const std::vector<int64_t>& pad, bool count_include_pad, c10::optional<int64_t> divisor) {
  return kernel.size() == 2 ? at::avg_pool2d(x, kernel, strides, pad, false, count_include_pad, divisor)
                            : at::avg_pool3d(x, kernel, strides, pad, false, count_include_pad, divisor);
}

// pool(op "max" | "avg", x, kernel, strides, pads): MaxPool, AvgPool (2-D: NHWC) and their 3-D
// forms (NDHWC). Like TF.js, max ignores padding and avg averages over the in-range elements.
TBT_FN(Pool) {
  auto op = StringArg(info, 0);
  auto x = ToTorch(TensorArg(info, 1), false);
  auto kernel = IntsArg(info, 2);
  auto strides = IntsArg(info, 3);
  auto window = Plan(IntsArg(info, 4), Halves(kernel));
  at::Tensor y;
  if (op == "max") {
    auto max_pool = [&](const at::Tensor& input) {
      auto padded = Extend(input, window.extra, -std::numeric_limits<double>::infinity());
      return kernel.size() == 2 ? at::max_pool2d(padded, kernel, strides, window.sym)
                                : at::max_pool3d(padded, kernel, strides, window.sym);
    };
    y = max_pool(x);
    // libtorch's max propagates NaN; TF.js's skips it. Only when a NaN came through (checked on
    // the smaller output) is the pool redone with NaNs as -inf.
    if (y.isnan().any().item<bool>()) y = max_pool(at::where(x.isnan(), -std::numeric_limits<double>::infinity(), x));
  } else if (op == "avg") {
    if (!window.HasExtra()) {
      y = AvgPool(x, kernel, strides, window.sym, false, c10::nullopt);
    } else {
      // Sums over the explicitly padded input, divided by each window's count of real elements.
      auto sum = AvgPool(Extend(x, window.extra, 0), kernel, strides, window.sym, true, 1);
      std::vector<int64_t> ones_shape(static_cast<size_t>(x.dim()), 1);
      for (int64_t d = 2; d < x.dim(); d++) ones_shape[d] = x.size(d);
      auto count = AvgPool(Extend(at::ones(ones_shape, x.options()), window.extra, 0), kernel, strides, window.sym,
                           true, 1);
      // TF.js's 3-D kernel averages an all-padding window to 0 (its 2-D kernel to NaN, 0 / 0).
      if (kernel.size() == 3) count.clamp_min_(1);
      y = sum.div_(count);
    }
  } else {
    throw std::runtime_error("pool: unknown op " + op);
  }
  return Handle(info, FromTorch(y, false));
}

// poolGrad(op "max" | "avg", dy, x, kernel, strides, pads): MaxPoolGrad, AvgPoolGrad and 3-D forms.
// Max routes dy to each window's (first) maximum. Avg spreads dy / (kernel volume) over the
// window's in-range elements, as TF.js's CPU kernel does (for windows cut by padding that is
// not the exact derivative of the forward average, but it is what TF.js computes).
TBT_FN(PoolGrad) {
  auto op = StringArg(info, 0);
  auto dy = ToTorch(TensorArg(info, 1), false);
  const auto& x_nhwc = TensorArg(info, 2);
  auto kernel = IntsArg(info, 3);
  auto strides = IntsArg(info, 4);
  auto window = Plan(IntsArg(info, 5), Halves(kernel));
  at::Tensor dx;
  if (op == "max") {
    auto x = Extend(ToTorch(x_nhwc, false), window.extra, -std::numeric_limits<double>::infinity());
    at::Tensor indices;
    MaxPoolWithIndices(x, kernel, strides, window, &indices);
    std::vector<int64_t> ones(kernel.size(), 1);
    dx = kernel.size() == 2
             ? at::max_pool2d_with_indices_backward(dy, x, kernel, strides, window.sym, ones, false, indices)
             : at::max_pool3d_with_indices_backward(dy, x, kernel, strides, window.sym, ones, false, indices);
  } else if (op == "avg") {
    auto input = at::empty(ExtendedShape(x_nhwc.sizes().vec(), false, window),
                           dy.options().memory_format(LayoutOf(x_nhwc.dim(), false)));
    int64_t volume = 1;
    for (auto k : kernel) volume *= k;
    dx = kernel.size() == 2
             ? at::avg_pool2d_backward(dy, input, kernel, strides, window.sym, false, true, volume)
             : at::avg_pool3d_backward(dy, input, kernel, strides, window.sym, false, true, volume);
  } else {
    throw std::runtime_error("poolGrad: unknown op " + op);
  }
  return Handle(info, FromTorch(Unextend(dx, window.extra), false));
}

// A batch-norm parameter, shaped to x's trailing dims the way TF.js's CPU kernel cycles through it
// (its flat values repeat every numel elements of x).
at::Tensor Trailing(const at::Tensor& p, const at::Tensor& x) {
  int64_t n = p.numel();
  if (n == 1) return p.reshape({});
  int64_t prod = 1;
  for (int64_t d = x.dim() - 1; d >= 0; d--) {
    prod *= x.size(d);
    if (prod == n) return p.reshape(x.sizes().slice(static_cast<size_t>(d)));
    if (prod > n) break;
  }
  throw std::runtime_error("batchNorm: a parameter of " + std::to_string(n) + " values does not tile the input");
}

// batchNorm(x, mean, variance, offset | -1, scale | -1, varianceEpsilon):
// (x - mean) * scale / sqrt(variance + epsilon) + offset.
TBT_FN(BatchNorm) {
  const auto& x = TensorArg(info, 0);
  auto mean = Trailing(TensorArg(info, 1), x);
  auto variance = Trailing(TensorArg(info, 2), x);
  int64_t offset_h = IntArg(info, 3);
  int64_t scale_h = IntArg(info, 4);
  double eps = NumberArg(info, 5);
  auto inv = (variance + eps).rsqrt_();
  if (scale_h >= 0) inv = inv * Trailing(Get(static_cast<int32_t>(scale_h)), x);
  auto y = (x - mean).mul_(inv);
  if (offset_h >= 0) y.add_(Trailing(Get(static_cast<int32_t>(offset_h)), x));
  return Handle(info, y);
}

at::Tensor LongTensor(const std::vector<int64_t>& v) {
  return at::tensor(at::ArrayRef<int64_t>(v), at::TensorOptions().dtype(at::kLong));
}

// A weight per output index along one axis, shaped to broadcast along `dim` of an NHWC tensor.
at::Tensor Weights(const std::vector<float>& v, int64_t dim) {
  std::vector<int64_t> shape{1, 1, 1, 1};
  shape[dim] = static_cast<int64_t>(v.size());
  return at::tensor(at::ArrayRef<float>(v), at::TensorOptions().dtype(at::kFloat)).reshape(shape);
}

// TF.js's ratio of input to output pixel spacing for a resize along one axis.
double ResizeRatio(int64_t in, int64_t out, bool align_corners) {
  bool align = align_corners && out > 1;
  return static_cast<double>(align ? in - 1 : in) / static_cast<double>(align ? out - 1 : out);
}

// Math.round (halves go up), not std::round (halves go away from zero).
double JsRound(double v) { return std::floor(v + 0.5); }

// Source rows (or columns) and weights of a bilinear resize, as TF.js's CPU ResizeBilinear computes them.
struct Lerp {
  std::vector<int64_t> lo, hi;
  std::vector<float> frac;
};

Lerp BilinearAxis(int64_t in, int64_t out, bool align_corners, bool half_pixel) {
  double ratio = ResizeRatio(in, out, align_corners);
  Lerp l;
  for (int64_t r = 0; r < out; r++) {
    double src = half_pixel ? ratio * (static_cast<double>(r) + 0.5) - 0.5 : ratio * static_cast<double>(r);
    double lo = std::max(0.0, std::floor(src));
    l.lo.push_back(static_cast<int64_t>(lo));
    l.hi.push_back(std::min(in - 1, static_cast<int64_t>(std::ceil(src))));
    l.frac.push_back(static_cast<float>(src - lo));
  }
  return l;
}

// resizeBilinear(images [N, H, W, C], newHeight, newWidth, alignCorners, halfPixelCenters): float32.
TBT_FN(ResizeBilinear) {
  auto x = TensorArg(info, 0).to(at::kFloat);
  int64_t out_h = IntArg(info, 1);
  int64_t out_w = IntArg(info, 2);
  bool align = BoolArg(info, 3);
  bool half = BoolArg(info, 4);
  auto rows = BilinearAxis(x.size(1), out_h, align, half);
  auto cols = BilinearAxis(x.size(2), out_w, align, half);
  // Along the width first, then the height: TF.js's top/bottom rows, then the value between them.
  auto u = at::lerp(x.index_select(2, LongTensor(cols.lo)), x.index_select(2, LongTensor(cols.hi)),
                    Weights(cols.frac, 2));
  auto y = at::lerp(u.index_select(1, LongTensor(rows.lo)), u.index_select(1, LongTensor(rows.hi)),
                    Weights(rows.frac, 1));
  return Handle(info, y);
}

// The source indices and weights TF.js's CPU ResizeBilinearGrad uses (it ignores halfPixelCenters).
Lerp BilinearGradAxis(int64_t in, int64_t out, bool align_corners) {
  double scale = ResizeRatio(in, out, align_corners);
  Lerp l;
  for (int64_t r = 0; r < out; r++) {
    double src = static_cast<double>(r) * scale;
    double lo = std::floor(src);
    l.lo.push_back(static_cast<int64_t>(lo));
    l.hi.push_back(std::min(in - 1, static_cast<int64_t>(std::ceil(src))));
    l.frac.push_back(static_cast<float>(src - lo));
  }
  return l;
}

// Scatters dy along `dim` into `size` slots: out[lo[r]] += dy[r] * (1 - frac[r]), out[hi[r]] += dy[r] * frac[r].
at::Tensor ScatterLerp(const at::Tensor& dy, int64_t dim, int64_t size, const Lerp& l) {
  auto shape = dy.sizes().vec();
  shape[dim] = size;
  auto out = at::zeros(shape, dy.options());
  auto f = Weights(l.frac, dim);
  out.index_add_(dim, LongTensor(l.lo), dy * (1 - f));
  out.index_add_(dim, LongTensor(l.hi), dy * f);
  return out;
}

// resizeBilinearGrad(images, dy, alignCorners): the gradient with respect to images.
TBT_FN(ResizeBilinearGrad) {
  const auto& images = TensorArg(info, 0);
  auto dy = TensorArg(info, 1).to(at::kFloat);
  bool align = BoolArg(info, 2);
  auto rows = BilinearGradAxis(images.size(1), dy.size(1), align);
  auto cols = BilinearGradAxis(images.size(2), dy.size(2), align);
  auto v = ScatterLerp(dy, 1, images.size(1), rows);
  return Handle(info, ScatterLerp(v, 2, images.size(2), cols));
}

std::vector<int64_t> NearestAxis(int64_t in, int64_t out, bool align_corners, bool half_pixel) {
  double ratio = ResizeRatio(in, out, align_corners);
  std::vector<int64_t> idx;
  for (int64_t r = 0; r < out; r++) {
    double src = half_pixel ? ratio * (static_cast<double>(r) + 0.5) : ratio * static_cast<double>(r);
    auto i = std::min(in - 1, static_cast<int64_t>(align_corners ? JsRound(src) : std::floor(src)));
    idx.push_back(half_pixel ? std::max<int64_t>(0, i) : i);
  }
  return idx;
}

// resizeNearest(images [N, H, W, C], newHeight, newWidth, alignCorners, halfPixelCenters): same dtype.
TBT_FN(ResizeNearest) {
  const auto& x = TensorArg(info, 0);
  int64_t out_h = IntArg(info, 1);
  int64_t out_w = IntArg(info, 2);
  bool align = BoolArg(info, 3);
  bool half = BoolArg(info, 4);
  auto rows = LongTensor(NearestAxis(x.size(1), out_h, align, half));
  auto cols = LongTensor(NearestAxis(x.size(2), out_w, align, half));
  return Handle(info, x.index_select(1, rows).index_select(2, cols));
}

// resizeNearestGrad(images, dy, alignCorners): each dy element added to the pixel it was read from
// (indices as TF.js's CPU ResizeNearestNeighborGrad computes them: it ignores halfPixelCenters).
TBT_FN(ResizeNearestGrad) {
  const auto& images = TensorArg(info, 0);
  const auto& dy = TensorArg(info, 1);
  bool align = BoolArg(info, 2);
  int64_t h = images.size(1);
  int64_t w = images.size(2);
  auto rows = LongTensor(NearestAxis(h, dy.size(1), align, false));
  auto cols = LongTensor(NearestAxis(w, dy.size(2), align, false));
  auto v = at::zeros({dy.size(0), h, dy.size(2), dy.size(3)}, dy.options()).index_add_(1, rows, dy);
  return Handle(info, at::zeros({dy.size(0), h, w, dy.size(3)}, dy.options()).index_add_(2, cols, v));
}

// mirrorPad(x, paddings [before0, after0, …], offset): 0 for 'reflect' (edge not repeated),
// 1 for 'symmetric' (edge repeated). Any rank and dtype.
TBT_FN(MirrorPad) {
  at::Tensor x = TensorArg(info, 0);
  auto p = IntsArg(info, 1);
  int64_t offset = IntArg(info, 2);
  for (int64_t d = 0; d < x.dim(); d++) {
    int64_t before = p[2 * d];
    int64_t after = p[2 * d + 1];
    if (before == 0 && after == 0) continue;
    int64_t n = x.size(d);
    std::vector<int64_t> idx;
    for (int64_t j = -before; j < n + after; j++) idx.push_back(j < 0 ? -j - offset : j >= n ? 2 * (n - 1) - j + offset : j);
    x = x.index_select(d, LongTensor(idx));
  }
  return Handle(info, x);
}

}  // namespace

void RegisterConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput, "conv2dBackpropInput"));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter, "conv2dBackpropFilter"));
  exports.Set("pool", Napi::Function::New(env, Pool, "pool"));
  exports.Set("poolGrad", Napi::Function::New(env, PoolGrad, "poolGrad"));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
  exports.Set("resizeBilinear", Napi::Function::New(env, ResizeBilinear, "resizeBilinear"));
  exports.Set("resizeBilinearGrad", Napi::Function::New(env, ResizeBilinearGrad, "resizeBilinearGrad"));
  exports.Set("resizeNearest", Napi::Function::New(env, ResizeNearest, "resizeNearest"));
  exports.Set("resizeNearestGrad", Napi::Function::New(env, ResizeNearestGrad, "resizeNearestGrad"));
  exports.Set("mirrorPad", Napi::Function::New(env, MirrorPad, "mirrorPad"));
}

}  // namespace tbt
