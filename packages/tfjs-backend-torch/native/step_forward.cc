// The native step's forward pass: each op's function, chosen by its kind (decoded once, when the
// program was compiled), over the values so far; each value is dropped after its last reader
// (autograd keeps what backward needs).
#include "step_ops.h"

namespace tbt::step {
namespace {

at::Tensor RunOp(ForwardState& s, size_t k, const Op& op) {
  switch (op.kind) {
    case OpKind::kDense: return RunDense(s, k, op);
    case OpKind::kActivation: return RunActivation(s, k, op);
    case OpKind::kRelu: return RunRelu(s, k, op);
    case OpKind::kLeakyRelu: return RunLeakyRelu(s, k, op);
    case OpKind::kDropout: return RunDropout(s, k, op);
    case OpKind::kBatchNorm: return RunBatchNorm(s, k, op);
    case OpKind::kBatchNormInference: return RunBatchNormInference(s, k, op);
    case OpKind::kConv2D: return RunConv2D(s, k, op);
    case OpKind::kPool: return RunPool(s, k, op);
    case OpKind::kGlobalAvgPool: return RunGlobalAvgPool(s, k, op);
    case OpKind::kGlobalMaxPool: return RunGlobalMaxPool(s, k, op);
    case OpKind::kFlatten: return RunFlatten(s, k, op);
    case OpKind::kReshape: return RunReshape(s, k, op);
    case OpKind::kZeroPad: return RunZeroPad(s, k, op);
    case OpKind::kAdd: return RunAdd(s, k, op);
    case OpKind::kMultiply: return RunMultiply(s, k, op);
    case OpKind::kConcat: return RunConcat(s, k, op);
    case OpKind::kIdentity: return RunIdentity(s, k, op);
  }
  throw std::logic_error("step: an op kind without a case");
}

}  // namespace

at::Tensor ForwardState::TakeWritable(size_t k, const Op& op) {
  const int j0 = op.in[0];
  at::Tensor t;
  if (j0 == 0 || last_use[j0] != static_cast<int>(k)) {
    t = v[j0];
  } else {
    int reads = 0;
    for (int i : op.in) reads += i == j0;
    t = reads == 1 ? std::move(v[j0]) : v[j0];
  }
  bool same = true;
  for (size_t j = 1; j < op.in.size(); j++) same = same && v[op.in[j]].sizes() == t.sizes();
  // Whether t shares its memory with nothing: no other holder, no other live value, not fixed.
  bool writable = t.defined() && t.use_count() == 1;
  if (writable) {
    const auto* st = t.storage().unsafeGetStorageImpl();
    writable = !fixed.count(st);
    for (const auto& u : v)
      if (writable && u.defined() && u.storage().unsafeGetStorageImpl() == st) writable = false;
  }
  if (same && writable) return t;
  if (j0 != 0 && !v[j0].defined()) v[j0] = std::move(t);
  return {};
}

at::Tensor Forward(const Program& prog, const at::Tensor& x, const std::vector<at::Tensor>& params, bool training,
                   const uint64_t* gen, std::vector<Moving>* moving) {
  const std::vector<Op>& ops = training ? prog.train : prog.inference;
  ForwardState s{ops, prog.last_use, params, training, gen, moving, std::vector<at::Tensor>(ops.size() + 1), {}};
  s.v[0] = x;
  if (!training) {
    s.fixed.insert(x.storage().unsafeGetStorageImpl());
    for (const auto& p : params)
      if (p.defined()) s.fixed.insert(p.storage().unsafeGetStorageImpl());
  }
  for (size_t k = 0; k < ops.size(); k++) {
    const Op& op = ops[k];
    s.v[k + 1] = RunOp(s, k, op);
    for (int j : op.in)
      if (j != 0 && prog.last_use[j] == static_cast<int>(k)) s.v[j].reset();
  }
  return s.v.back();
}

}  // namespace tbt::step
