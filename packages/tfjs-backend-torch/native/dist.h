// Data-parallel training on PyTorch's c10d: one process group per process (a TCPStore served by
// rank 0, and Gloo), used by the native training step (train.cc) and exposed to JS (dist*).
// Built with Gloo only when its headers are there (scripts/build.mjs defines TBT_HAVE_GLOO for
// dist.cc); otherwise DistActive() is always false and the JS entry points say so.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

#include <memory>
#include <vector>

namespace tbt {

// Whether a process group is initialised (and has not been shut down).
bool DistActive();

// Sums scale * grads[k] and scale * metrics[k] across the ranks and averages moving[k] (batch-norm
// moving statistics) across them, all in a few flat float buffers of ~25 MB (one allreduce each: a
// small network's step makes one). Each tensor is replaced by its reduced value (grads: views into
// those buffers; moving: copies). metrics: the step's loss and accuracy, each the rank's row mean:
// with scale = rank rows / global rows, their sums are the global batch's row-weighted means.
// Throws one line on a lost or silent rank.
void DistReduceStep(std::vector<at::Tensor>& grads, double scale, std::vector<at::Tensor>& moving, double* metrics,
                    size_t n_metrics);

// Whether a group is active and this step reduces during the backward (TBT_DIST_OVERLAP, read at
// each step: on unless "0", which selects DistReduceStep after the backward), which it does when
// the trained parameters `leaves` make more than one bucket (OverlapStep's): one has nothing to overlap.
bool DistOverlap(const std::vector<at::Tensor>& leaves);

// One step's reduction overlapped with its backward, PyTorch DDP's way: the trained parameters'
// gradients in fixed buckets (reverse parameter order, the first closed once it reaches 1 MB, the
// others TBT_BUCKET_MB; the moving statistics and metrics ride in the last), each allreduced
// asynchronously (Gloo's own threads) as soon as all of its gradients are in, buckets launched
// in order so that every rank issues the same collectives in the same order.
class OverlapStep {
 public:
  virtual ~OverlapStep() = default;
  // Waits for every bucket (launching those still pending, e.g. for unused parameters); then as
  // DistReduceStep: grads[k] (one per leaf; undefined where no gradient came) the reduced
  // gradient, moving and metrics reduced. Throws one line on a lost or silent rank.
  virtual void Finish(std::vector<at::Tensor>& grads, std::vector<at::Tensor>& moving, double* metrics) = 0;
};

// Hooks each leaf (trained parameter, in parameter order) so that the backward that follows
// (torch::autograd::backward into the leaves: a tensor hook runs in AccumulateGrad, which
// torch::autograd::grad does not execute in libtorch 1.13) copies its gradient, times scale, into
// its bucket. moving and metrics (n_metrics) are read now, so they must be final.
std::unique_ptr<OverlapStep> DistBeginOverlap(std::vector<at::Tensor>& leaves, double scale,
                                              const std::vector<at::Tensor>& moving, const double* metrics,
                                              size_t n_metrics);

// The native step's wall time of a data-parallel step, for distStepStats.
void DistRecordStep(double ms);

void RegisterDist(Napi::Env env, Napi::Object exports);

}  // namespace tbt
