// Data-parallel training on PyTorch's c10d: one process group per process (a TCPStore served by
// rank 0, and Gloo), used by the native training step (train.cc) and exposed to JS (dist*).
// Built with Gloo only when its headers are there (scripts/build.mjs defines TBT_HAVE_GLOO for
// dist.cc); otherwise DistActive() is always false and the JS entry points say so.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>

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

void RegisterDist(Napi::Env env, Napi::Object exports);

}  // namespace tbt
