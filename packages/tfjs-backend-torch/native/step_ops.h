// The native step's ops: one function per op kind (step_ops.cc, step_conv_ops.cc), called by the
// forward pass (step_forward.cc) with its state. Layouts are TF.js's: activations NHWC, conv
// filters [fh, fw, in, out], depthwise [fh, fw, in, mult].
#pragma once
#include <unordered_set>
#include <vector>

#include "step_program.h"

namespace tbt::step {

// One forward pass: the values so far (v[0]: the input; op k writes v[k + 1], dropped after its last reader).
struct ForwardState {
  const std::vector<Op>& ops;
  const std::vector<int>& last_use;
  const std::vector<at::Tensor>& params;
  bool training;                // the training program (else the inference one)
  const uint64_t* gen;          // training: the step seed (dropout)
  std::vector<Moving>* moving;  // training: the batch norms' new moving statistics
  std::vector<at::Tensor> v;
  // Inference: storage that an in-place op must never write (the caller's input and the parameters).
  std::unordered_set<const c10::StorageImpl*> fixed;

  // Op's j-th input.
  const at::Tensor& In(const Op& op, size_t j = 0) const { return v[op.in[j]]; }
  // Parameter k, or null when absent (-1).
  const at::Tensor* Param(int k) const { return k >= 0 ? &params[k] : nullptr; }
  // Op k's first input, moved out of its slot, when the op may overwrite it: op k is its last reader,
  // reads it once, its other inputs have its shape (an in-place add does not broadcast) and its memory
  // is shared with nothing. Otherwise an undefined tensor (and the value stays in its slot).
  at::Tensor TakeWritable(size_t k, const Op& op);
};

at::Tensor Activate(const at::Tensor& x, Act a);
// The activation in place, on a tensor nothing else reads (inference only).
at::Tensor ActivateInPlace(at::Tensor x, Act a);
// training ? Activate : ActivateInPlace, by the op's in_place flag (its own fresh output).
inline at::Tensor ActivateOutput(at::Tensor y, Act a, bool in_place) {
  return in_place ? ActivateInPlace(std::move(y), a) : Activate(y, a);
}

// step_ops.cc
at::Tensor RunDense(ForwardState& s, size_t k, const Op& op);
at::Tensor RunActivation(ForwardState& s, size_t k, const Op& op);
at::Tensor RunRelu(ForwardState& s, size_t k, const Op& op);
at::Tensor RunLeakyRelu(ForwardState& s, size_t k, const Op& op);
at::Tensor RunDropout(ForwardState& s, size_t k, const Op& op);
at::Tensor RunBatchNorm(ForwardState& s, size_t k, const Op& op);
at::Tensor RunBatchNormInference(ForwardState& s, size_t k, const Op& op);
at::Tensor RunFlatten(ForwardState& s, size_t k, const Op& op);
at::Tensor RunReshape(ForwardState& s, size_t k, const Op& op);
at::Tensor RunAdd(ForwardState& s, size_t k, const Op& op);
at::Tensor RunMultiply(ForwardState& s, size_t k, const Op& op);
at::Tensor RunConcat(ForwardState& s, size_t k, const Op& op);
at::Tensor RunIdentity(ForwardState& s, size_t k, const Op& op);
// step_conv_ops.cc
at::Tensor RunConv2D(ForwardState& s, size_t k, const Op& op);
at::Tensor RunPool(ForwardState& s, size_t k, const Op& op);
at::Tensor RunGlobalAvgPool(ForwardState& s, size_t k, const Op& op);
at::Tensor RunGlobalMaxPool(ForwardState& s, size_t k, const Op& op);
at::Tensor RunZeroPad(ForwardState& s, size_t k, const Op& op);

}  // namespace tbt::step
