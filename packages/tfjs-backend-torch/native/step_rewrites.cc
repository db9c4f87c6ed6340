// The inference rewrites: the training program turned into the one predict and evaluate run.
// Each is a pass over the ops; none changes their order or value slots (so last_use holds for both).
#include "step_program.h"

namespace tbt::step {
namespace {

bool Linear(Act a) { return a == Act::kLinear; }

// A batch norm that alone reads a linear convolution's output is folded into that convolution's
// filter and bias, and becomes the identity.
void FoldBatchNorms(std::vector<Op>& ops, const std::vector<int>& last_use) {
  size_t n = ops.size();
  std::vector<int> readers(n + 1, 0);
  for (const Op& op : ops)
    for (int j : op.in) readers[j]++;
  for (size_t k = 0; k + 1 < n; k++) {
    Op& conv = ops[k];
    if (conv.kind != OpKind::kConv2D || readers[k + 1] != 1) continue;
    auto& args = std::get<Conv2DArgs>(conv.args);
    if (!Linear(args.activation)) continue;
    Op& bn = ops[last_use[k + 1]];
    bool batch_norm = bn.kind == OpKind::kBatchNorm || bn.kind == OpKind::kBatchNormInference;
    if (batch_norm && bn.in.size() == 1 && bn.in[0] == static_cast<int>(k + 1)) {
      args.folded = std::get<BatchNormArgs>(bn.args);
      bn.kind = OpKind::kIdentity;
      bn.args = NoArgs{};
    }
  }
}

// No dropout, batch norms on their moving statistics.
void InferenceModes(std::vector<Op>& ops) {
  for (Op& op : ops) {
    if (op.kind == OpKind::kDropout) {
      op.kind = OpKind::kIdentity;
      op.args = NoArgs{};
    } else if (op.kind == OpKind::kBatchNorm) {
      op.kind = OpKind::kBatchNormInference;
    }
  }
}

// Activations on fresh outputs, and activations (LeakyReLU too) and adds on values nobody else reads, in place
// (the ops check at run time that their input is theirs alone: ForwardState::TakeWritable).
void InPlace(std::vector<Op>& ops) {
  for (Op& op : ops)
    switch (op.kind) {
      case OpKind::kDense:
      case OpKind::kConv2D:
      case OpKind::kActivation:
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
      case OpKind::kAdd: op.in_place = true; break;
      default: break;
    }
}

}  // namespace

std::vector<Op> InferenceOps(const std::vector<Op>& train, const std::vector<int>& last_use) {
  std::vector<Op> ops = train;
  FoldBatchNorms(ops, last_use);
  InferenceModes(ops);
  InPlace(ops);
  return ops;
}

}  // namespace tbt::step
