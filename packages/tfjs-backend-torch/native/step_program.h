// The native step's program: what compileProgram decodes (step_decode.cc) from the ops that
// src/compile.ts builds (their fields: src/program.ts), once per network. Each op is a kind and
// that kind's own fields; the forward pass (step_forward.cc) dispatches on the kind to one
// function per op (step_ops.cc, step_conv_ops.cc). The inference program is the training one
// after the rewrites of step_rewrites.cc.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tbt::step {

// tfjs-layers' activations, by their class names (src/program.ts's ACTIVATIONS).
enum class Act : uint8_t {
  kLinear, kRelu, kRelu6, kElu, kSelu, kSigmoid, kTanh, kSoftplus, kSoftsign, kHardSigmoid,
  kSoftmax, kLogSoftmax, kSwish, kMish, kGelu, kGeluNew,
};

enum class OpKind : uint8_t {
  kDense, kActivation, kRelu, kLeakyRelu, kDropout, kBatchNorm, kConv2D, kPool, kGlobalAvgPool,
  kGlobalMaxPool, kFlatten, kReshape, kZeroPad, kAdd, kMultiply, kConcat, kIdentity,
  kBatchNormInference,  // a frozen batch norm, and every batch norm after the inference rewrites
};

// Padding of H and W (TF.js's 'same' may be asymmetric).
struct Pads {
  int64_t top, bottom, left, right;
};

// The fields of each kind of op. Parameters are indices into the step's parameter list, -1: absent.
struct NoArgs {};
struct DenseArgs {
  int kernel, bias;
  Act activation;
};
struct ActivationArgs {
  Act activation;
};
struct ReluArgs {
  std::optional<double> max_value;
};
struct LeakyReluArgs {
  double alpha;
};
struct DropoutArgs {
  double rate;
};
struct BatchNormArgs {
  int gamma, beta, moving_mean, moving_variance;
  double epsilon, momentum;
  // Keras's frozen batch norm (trainable false, or kept in inference mode for fine-tuning): on its
  // moving statistics in training too (decoded as kBatchNormInference); its scale and offset may train.
  bool frozen;
};
struct Conv2DArgs {
  int kernel, bias;
  Act activation;
  int64_t strides[2], dilations[2];
  Pads pads;
  bool depthwise;
  std::optional<BatchNormArgs> folded;  // inference: the batch norm after it, folded into its filter and bias
};
struct PoolArgs {
  bool max;
  int64_t size[2], strides[2];
  Pads pads;
};
struct ReshapeArgs {
  std::vector<int64_t> shape;  // after the batch dim
};
struct ZeroPadArgs {
  Pads pads;
};
struct ConcatArgs {
  int64_t axis;
};
using OpArgs = std::variant<NoArgs, DenseArgs, ActivationArgs, ReluArgs, LeakyReluArgs, DropoutArgs, BatchNormArgs,
                            Conv2DArgs, PoolArgs, ReshapeArgs, ZeroPadArgs, ConcatArgs>;

// Inference: a convolution's filter and bias as at::convolution takes them (OIHW in channels-last
// memory, the batch norm after it folded in), made on the first call and kept while the parameters
// they come from are the same tensors at the same version, so that predict does not re-fold and
// re-lay every filter per call. Holding them makes the native step, which writes in place only a
// tensor nothing else holds, give an updated parameter a new tensor; the version catches any
// other in-place write (the step bumps it where it writes through raw pointers).
struct PreparedFilter {
  std::vector<at::Tensor> from;  // the parameters read
  std::vector<int64_t> versions;
  at::Tensor weight;
  c10::optional<at::Tensor> bias;
};

struct Op {
  OpKind kind;
  std::string name;     // as on the wire, for messages
  std::vector<int> in;  // value slots (0: the network's input; op k writes slot k + 1)
  OpArgs args;
  // Inference only (step_rewrites.cc): the op may write in place, on its own fresh output (dense,
  // conv2d) or on its first input when nothing else reads that (activation, relu, leakyrelu, add).
  bool in_place = false;
  // Inference convolutions: the filter prepared for the parameters of the last call.
  mutable std::shared_ptr<PreparedFilter> prepared;
};

// The training loss (and evaluate's): tfjs-layers' cross-entropy on the network's probabilities, or
// for numeric targets the mean squared error or torch's Huber loss on a linear output.
enum class Loss : uint8_t { kCrossEntropy, kMse, kHuber };

struct Program {
  std::vector<Op> train;      // as compiled: the training step's forward
  std::vector<Op> inference;  // after the inference rewrites: predict and evaluate
  std::vector<double> l1, l2;  // per parameter, the L1L2 regulariser's coefficients (0: none)
  bool binary = false;         // one sigmoid output (binary cross-entropy) or a softmax (categorical)
  Loss loss = Loss::kCrossEntropy;  // absent on the wire: cross-entropy
  double huber_delta = 1;           // Huber's delta (Loss::kHuber)
  std::vector<int> last_use;   // per value slot, the last op that reads it (-1: none; the output: ops.size())
};

// A batch norm's new moving statistic, written after a training step.
struct Moving {
  int param;
  at::Tensor value;
};

// compileProgram's argument -> the program (its inference ops included); throws std::runtime_error
// naming the op and the field when a field is missing, unknown, or of the wrong type or size.
std::unique_ptr<Program> DecodeProgram(const Napi::Object& spec);

// The inference program: the training ops rewritten (batch norms folded into convolutions, in-place
// activations and adds, dropout off, batch norms on their moving statistics).
std::vector<Op> InferenceOps(const std::vector<Op>& train, const std::vector<int>& last_use);

// The forward pass: the training program (dropout masks drawn from the step seed *gen, batch norms on
// batch statistics, whose moving averages are collected in `moving`) or the inference one.
at::Tensor Forward(const Program& prog, const at::Tensor& x, const std::vector<at::Tensor>& params, bool training,
                   const uint64_t* gen, std::vector<Moving>* moving);

}  // namespace tbt::step
