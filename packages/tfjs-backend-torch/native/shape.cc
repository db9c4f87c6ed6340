// Kernels that move data without arithmetic: reshape, transpose, slice, concat, pad, tile,
// gather, reverse, stack/unstack, split, one-hot, segment sums. Most return libtorch views.
#include "tensors.h"

namespace tbt {
namespace {

// alias(x): a second handle on the same tensor (TF.js Identity).
TBT_FN(Alias) { return Handle(info, TensorArg(info, 0)); }

// reshape(x, shape)
TBT_FN(Reshape) { return Handle(info, TensorArg(info, 0).reshape(IntsArg(info, 1))); }

// transpose(x, perm)
TBT_FN(Transpose) { return Handle(info, TensorArg(info, 0).permute(IntsArg(info, 1))); }

// slice(x, begin, size): sizes already resolved (no -1).
TBT_FN(Slice) {
  at::Tensor t = TensorArg(info, 0);
  auto begin = IntsArg(info, 1);
  auto size = IntsArg(info, 2);
  for (size_t d = 0; d < begin.size(); d++) {
    if (begin[d] != 0 || size[d] != t.size(static_cast<int64_t>(d))) t = t.narrow(static_cast<int64_t>(d), begin[d], size[d]);
  }
  return Handle(info, t);
}

// stridedSlice(x, begin, strides, counts, finalShape): along dim d take counts[d] elements
// begin[d], begin[d] + strides[d], … (TF.js's sliceInfo resolves masks and bounds first).
// libtorch has no negative steps, so a negative-step dim is flipped first.
TBT_FN(StridedSlice) {
  at::Tensor t = TensorArg(info, 0);
  auto begin = IntsArg(info, 1);
  auto strides = IntsArg(info, 2);
  auto counts = IntsArg(info, 3);
  auto final_shape = IntsArg(info, 4);
  if (static_cast<int64_t>(begin.size()) != t.dim() || strides.size() != begin.size() || counts.size() != begin.size())
    throw Napi::Error::New(info.Env(), "stridedSlice: begin, strides and counts need one entry per input dim");
  for (size_t k = 0; k < begin.size(); k++) {
    auto d = static_cast<int64_t>(k);
    int64_t n = t.size(d);
    int64_t s = strides[k];
    int64_t c = counts[k];
    if (c == 0) {
      t = t.narrow(d, 0, 0);
    } else if (s > 0) {
      t = t.slice(d, begin[k], begin[k] + (c - 1) * s + 1, s);
    } else {
      int64_t first = n - 1 - begin[k];  // index of begin[k] in the flipped dim
      t = t.flip({d}).slice(d, first, first + (c - 1) * (-s) + 1, -s);
    }
  }
  return Handle(info, t.reshape(final_shape));
}

// concat(handles[], axis)
TBT_FN(Concat) {
  auto handles = IntsArg(info, 0);
  std::vector<at::Tensor> ts;
  for (auto h : handles) ts.push_back(Get(static_cast<int32_t>(h)));
  return Handle(info, at::cat(ts, IntArg(info, 1)));
}

// pad(x, paddings flattened as [before0, after0, before1, after1, …], value)
TBT_FN(Pad) {
  const auto& x = TensorArg(info, 0);
  auto p = IntsArg(info, 1);
  std::vector<int64_t> torch_pad;  // libtorch lists the last dim first
  for (int64_t d = x.dim() - 1; d >= 0; d--) {
    torch_pad.push_back(p[2 * d]);
    torch_pad.push_back(p[2 * d + 1]);
  }
  return Handle(info, at::constant_pad_nd(x, torch_pad, NumberArg(info, 2)));
}

// tile(x, reps)
TBT_FN(Tile) { return Handle(info, TensorArg(info, 0).repeat(IntsArg(info, 1))); }

// gather(x, indices, axis, batchDims): TF.js GatherV2; -1 (no handle) if an index is out of range.
TBT_FN(Gather) {
  const auto& x = TensorArg(info, 0);
  const auto& indices = TensorArg(info, 1);
  int64_t axis = IntArg(info, 2);
  int64_t batch_dims = IntArg(info, 3);
  auto idx = indices.to(at::kLong);
  // TF.js's CPU kernel throws on an index outside [0, x.shape[axis]) (libtorch would wrap negative
  // ones or throw its own message): -1 tells the JS side to hand the call to it.
  if (idx.numel() > 0 && ((idx < 0).any().item<bool>() || (idx >= x.size(axis)).any().item<bool>()))
    return Napi::Number::New(info.Env(), -1);
  if (batch_dims == 0) {
    auto flat = at::index_select(x, axis, idx.reshape({-1}));
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    shape.insert(shape.end(), indices.sizes().begin(), indices.sizes().end());
    shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
    return Handle(info, flat.reshape(shape));
  }
  // Batched gather: fold the batch dims into one and gather per batch element.
  int64_t batch = 1;
  for (int64_t d = 0; d < batch_dims; d++) batch *= x.size(d);
  std::vector<int64_t> xs(x.sizes().begin() + batch_dims, x.sizes().end());
  xs.insert(xs.begin(), batch);
  auto xb = x.reshape(xs);
  std::vector<int64_t> is(indices.sizes().begin() + batch_dims, indices.sizes().end());
  int64_t per = 1;
  for (auto v : is) per *= v;
  auto ib = idx.reshape({batch, per});
  std::vector<at::Tensor> parts;
  for (int64_t b = 0; b < batch; b++) parts.push_back(at::index_select(xb[b], axis - batch_dims, ib[b]));
  auto out = at::stack(parts);
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
  shape.insert(shape.end(), is.begin(), is.end());
  shape.insert(shape.end(), x.sizes().begin() + axis + 1, x.sizes().end());
  return Handle(info, out.reshape(shape));
}

// reverse(x, dims)
TBT_FN(Reverse) { return Handle(info, at::flip(TensorArg(info, 0), IntsArg(info, 1))); }

// stack(handles[], axis): TF.js Pack.
TBT_FN(Stack) {
  auto handles = IntsArg(info, 0);
  std::vector<at::Tensor> ts;
  for (auto h : handles) ts.push_back(Get(static_cast<int32_t>(h)));
  return Handle(info, at::stack(ts, IntArg(info, 1)));
}

// unstack(x, axis): handles[]. TF.js Unpack.
TBT_FN(Unstack) { return Handles(info, at::unbind(TensorArg(info, 0), IntArg(info, 1))); }

// split(x, sizes, axis): handles[]. TF.js SplitV.
TBT_FN(Split) { return Handles(info, at::split_with_sizes(TensorArg(info, 0), IntsArg(info, 1), IntArg(info, 2))); }

// oneHot(indices, depth, on, off, dtype): out-of-range indices give a row of `off`.
TBT_FN(OneHot) {
  const auto& indices = TensorArg(info, 0);
  int64_t depth = IntArg(info, 1);
  auto dtype = ScalarTypeOf(StringArg(info, 4));
  auto hot = at::eq(indices.to(at::kLong).unsqueeze(-1), at::arange(depth, at::TensorOptions().dtype(at::kLong)));
  auto on = at::full({}, NumberArg(info, 2), at::TensorOptions().dtype(dtype));
  auto off = at::full({}, NumberArg(info, 3), at::TensorOptions().dtype(dtype));
  return Handle(info, at::where(hot, on, off));
}

// unsortedSegmentSum(x, segmentIds, numSegments)
TBT_FN(UnsortedSegmentSum) {
  const auto& x = TensorArg(info, 0);
  const auto& ids = TensorArg(info, 1);
  int64_t n = IntArg(info, 2);
  auto flat_ids = ids.reshape({-1}).to(at::kLong);
  std::vector<int64_t> rest(x.sizes().begin() + ids.dim(), x.sizes().end());
  std::vector<int64_t> xs = rest;
  xs.insert(xs.begin(), flat_ids.size(0));
  std::vector<int64_t> out_shape = rest;
  out_shape.insert(out_shape.begin(), n);
  // TF.js drops rows whose segment id is negative (or >= numSegments): send them to an extra
  // row n, cut off below (index_add_ would throw on them).
  flat_ids = at::where((flat_ids < 0).logical_or(flat_ids >= n), at::full({}, n, flat_ids.options()), flat_ids);
  out_shape[0] = n + 1;
  auto out = at::zeros(out_shape, x.options());
  return Handle(info, out.index_add_(0, flat_ids, x.reshape(xs)).narrow(0, 0, n));
}

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) {
  exports.Set("alias", Napi::Function::New(env, Alias, "alias"));
  exports.Set("reshape", Napi::Function::New(env, Reshape, "reshape"));
  exports.Set("transpose", Napi::Function::New(env, Transpose, "transpose"));
  exports.Set("slice", Napi::Function::New(env, Slice, "slice"));
  exports.Set("stridedSlice", Napi::Function::New(env, StridedSlice, "stridedSlice"));
  exports.Set("concat", Napi::Function::New(env, Concat, "concat"));
  exports.Set("pad", Napi::Function::New(env, Pad, "pad"));
  exports.Set("tile", Napi::Function::New(env, Tile, "tile"));
  exports.Set("gather", Napi::Function::New(env, Gather, "gather"));
  exports.Set("reverse", Napi::Function::New(env, Reverse, "reverse"));
  exports.Set("stack", Napi::Function::New(env, Stack, "stack"));
  exports.Set("unstack", Napi::Function::New(env, Unstack, "unstack"));
  exports.Set("split", Napi::Function::New(env, Split, "split"));
  exports.Set("oneHot", Napi::Function::New(env, OneHot, "oneHot"));
  exports.Set("unsortedSegmentSum", Napi::Function::New(env, UnsortedSegmentSum, "unsortedSegmentSum"));
}

}  // namespace tbt
