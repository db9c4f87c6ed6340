// Data-parallel training on PyTorch's own distributed engine (c10d): a TCPStore served by rank 0
// for the rendezvous and a Gloo process group for the collectives, one per process. JS: distInit,
// distState, distAllreduceSum, distBroadcast, distBarrier, distShutdown (src/distributed.ts);
// C++: DistReduceStep for the native training step (train.cc).
//
// Failures become one line: a rank that dies ("lost rank 1 (Connection reset by peer) talking to
// MASTER:PORT"), a rank that stalls (no answer within the timeout), a master that cannot be reached,
// a WORLD_SIZE that differs between ranks. After a lost or silent rank the group only repeats that
// line until it is shut down.
#include "dist.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "tensors.h"

#ifdef TBT_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

// glog's threshold, when libtorch logs through glog (Debian's does; weak: absent elsewhere).
namespace fLI {
extern int32_t FLAGS_minloglevel __attribute__((weak));
}
#endif

namespace tbt {

#ifdef TBT_HAVE_GLOO
namespace {

using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Group {
  int rank = 0, world = 1;
  std::string master;  // "ADDR:PORT", for messages
  int64_t timeout_ms = 0;
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  std::string failed;  // the line of a lost or silent rank: every later call repeats it
};

// Never destroyed at exit (only by distShutdown): a Gloo worker thread stuck on a silent peer would
// otherwise hold the process's exit for the whole timeout.
Group* group = nullptr;

std::string Seconds(int64_t ms) {
  std::ostringstream s;
  s << ms / 1000.0 << " s";
  return s.str();
}

bool Has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// An exception's message on one line, without libtorch's backtrace or Gloo's "[file:line] " prefix.
std::string Reason(const std::exception& e) {
  auto* c = dynamic_cast<const c10::Error*>(&e);
  std::string m = c ? c->what_without_backtrace() : e.what();
  if (!m.empty() && m[0] == '[') {
    auto k = m.find("] ");
    if (k != std::string::npos) m = m.substr(k + 2);
  }
  auto nl = m.find('\n');
  if (nl != std::string::npos) m = m.substr(0, nl);
  return m;
}

std::string Join(const std::vector<int>& ranks) {
  std::string s = ranks.size() == 1 ? "rank " : "ranks ";
  for (size_t k = 0; k < ranks.size(); k++) s += (k ? ", " : "") + std::to_string(ranks[k]);
  return s;
}

// Which of `keys` are still absent from the store at `deadline` (polled: a timed-out TCPStore wait
// leaves its reply in the socket, which the next request would read).
std::vector<size_t> MissingKeys(c10d::Store& store, const std::vector<std::string>& keys, Clock::time_point deadline) {
  std::vector<size_t> missing(keys.size());
  for (size_t k = 0; k < keys.size(); k++) missing[k] = k;
  while (true) {
    std::vector<size_t> still;
    for (size_t k : missing)
      if (!store.check({keys[k]})) still.push_back(k);
    missing.swap(still);
    if (missing.empty() || Clock::now() >= deadline) return missing;
    std::this_thread::sleep_for(Ms(20));
  }
}

// The rank(s) lost when a peer's connection broke: the other one in a world of two; else those that
// do not check in (every survivor does) within a second. The store is rank 0's.
std::string LostRanks(Group& g) {
  if (g.world == 2) return "rank " + std::to_string(1 - g.rank);
  try {
    g.store->set("tbt/alive/" + std::to_string(g.rank), {1});
    std::vector<std::string> keys;
    std::vector<int> others;
    for (int r = 0; r < g.world; r++)
      if (r != g.rank) {
        keys.push_back("tbt/alive/" + std::to_string(r));
        others.push_back(r);
      }
    auto missing = MissingKeys(*g.store, keys, Clock::now() + Ms(std::min<int64_t>(g.timeout_ms, 1000)));
    std::vector<int> lost;
    for (size_t k : missing) lost.push_back(others[k]);
    if (!lost.empty()) return Join(lost);
  } catch (const std::exception&) {
    if (g.rank != 0) return "rank 0";
  }
  return "a rank";
}

// A collective's failure: a lost or silent peer becomes the group's failure line (every later call
// repeats it); anything else is thrown as one line naming the master.
[[noreturn]] void Fail(Group& g, const std::string& reason) {
  std::string line;
  if (Has(reason, "imed out") || Has(reason, "imeout")) {
    line = "data-parallel: no answer from the other ranks within " + Seconds(g.timeout_ms) + " (master " + g.master + ")";
  } else if (Has(reason, "by peer") || Has(reason, "Broken pipe") || Has(reason, "Connection refused")) {
    std::string why = Has(reason, "reset by peer")    ? "Connection reset by peer"
                      : Has(reason, "closed by peer") ? "Connection closed by peer"
                      : Has(reason, "Broken pipe")    ? "Broken pipe"
                                                      : reason;
    line = "data-parallel: lost " + LostRanks(g) + " (" + why + ") talking to " + g.master;
  } else {
    throw std::runtime_error("data-parallel: " + reason + " (master " + g.master + ")");
  }
  g.failed = line;
  throw std::runtime_error(line);
}

// Waits for a started collective to end.
void Wait(Group& g, const c10::intrusive_ptr<c10d::Work>& work) {
  std::string reason;
  try {
    work->wait();
    return;
  } catch (const std::exception& e) {
    reason = Reason(e);
  }
  Fail(g, reason);
}

// Starts one collective and waits for its end.
template <class Start>
void Run(Group& g, Start start) {
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = start();
  } catch (const std::exception& e) {
    Fail(g, Reason(e));
  }
  Wait(g, work);
}

// The native step's reduction, timed (distStepStats): per data-parallel step, the native step's
// wall time; the time its own thread spent on the reduction (packing gradients in the backward's
// hooks, and everything after the backward); of that, the time after the backward until the
// reduced gradients were there (the step's wait for communication: all of the reduction without
// overlap); the buckets, those launched during the backward, and the bytes sent into allreduces.
// Process-wide, kept across distShutdown; distResetStepStats zeroes them.
struct StepStats {
  double steps = 0, step_ms = 0, reduce_ms = 0, wait_ms = 0, buckets = 0, overlapped = 0, bytes = 0;
} stats;

// TBT_DIST_OVERLAP: on unless "0"; read at each step (bench/distributed.ts alternates it).
bool OverlapWanted() {
  const char* v = std::getenv("TBT_DIST_OVERLAP");
  return !(v && std::string(v) == "0");
}

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Group& Active(const char* fn) {
  if (!group) throw std::runtime_error(std::string(fn) + ": data-parallel training is not initialised (initDistributed)");
  if (!group->failed.empty()) throw std::runtime_error(group->failed);
  return *group;
}

// Keeps glog quiet while it lives: c10d logs each failed connection to the master on stderr
// (with glog's own "Logging before InitGoogleLogging" line) before throwing what we report.
class QuietLog {
 public:
  QuietLog() {
    if (&fLI::FLAGS_minloglevel) std::swap(saved_, fLI::FLAGS_minloglevel);
  }
  ~QuietLog() {
    if (&fLI::FLAGS_minloglevel) std::swap(saved_, fLI::FLAGS_minloglevel);
  }

 private:
  int32_t saved_ = 3;  // FATAL only
};

bool IsLoopback(const std::string& addr) { return addr.rfind("127.", 0) == 0 || addr == "localhost" || addr == "::1"; }

// Gloo's network device: the interfaces GLOO_SOCKET_IFNAME names (as PyTorch reads it); else, on the
// master's own machine (rank 0, or a loopback master), the master's address; else this machine's
// hostname (falling back to loopback), as PyTorch's default device.
std::vector<std::shared_ptr<gloo::transport::Device>> Devices(const std::string& addr, int rank) {
  std::vector<std::shared_ptr<gloo::transport::Device>> devices;
  const char* ifnames = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifnames && *ifnames) {
    std::stringstream list(ifnames);
    std::string name;
    while (std::getline(list, name, ','))
      if (!name.empty()) {
        try {
          devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
        } catch (const std::exception& e) {
          throw std::runtime_error("data-parallel: GLOO_SOCKET_IFNAME=" + std::string(ifnames) + ": " + Reason(e));
        }
      }
  }
  if (devices.empty())
    devices.push_back(rank == 0 || IsLoopback(addr) ? c10d::ProcessGroupGloo::createDeviceForHostname(addr)
                                                     : c10d::ProcessGroupGloo::createDefaultDevice());
  return devices;
}

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string Text(const std::vector<uint8_t>& b) { return {b.begin(), b.end()}; }

// Every rank checks in with its WORLD_SIZE; rank 0 waits for all of them and compares, the others
// compare with rank 0's. A rank claimed twice or a different WORLD_SIZE is refused on both sides.
void Agree(Group& g) {
  auto& s = *g.store;
  const std::string me = std::to_string(g.rank), at = " (master " + g.master + ")";
  if (s.add("tbt/rank/" + me, 1) > 1)
    throw std::runtime_error("data-parallel: two processes have RANK " + me + at);
  s.set("tbt/world/" + me, Bytes(std::to_string(g.world)));
  auto deadline = Clock::now() + Ms(g.timeout_ms);
  auto mismatch = [&](int r, const std::string& theirs) {
    return std::runtime_error("data-parallel: WORLD_SIZE mismatch: rank " + std::to_string(r) + " has " + theirs +
                              ", rank " + me + " has " + std::to_string(g.world) + at);
  };
  if (g.rank != 0) {
    if (!MissingKeys(s, {"tbt/world/0"}, deadline).empty())
      throw std::runtime_error("data-parallel: rank 0 did not join within " + Seconds(g.timeout_ms) + at);
    auto w0 = Text(s.get("tbt/world/0"));
    if (w0 != std::to_string(g.world)) throw mismatch(0, w0);
    return;
  }
  std::vector<std::string> keys;
  for (int r = 1; r < g.world; r++) keys.push_back("tbt/world/" + std::to_string(r));
  auto missing = MissingKeys(s, keys, deadline);
  for (size_t k = 0; k < keys.size(); k++) {
    if (std::find(missing.begin(), missing.end(), k) != missing.end()) continue;
    auto w = Text(s.get(keys[k]));
    if (w != std::to_string(g.world)) throw mismatch(static_cast<int>(k) + 1, w);
  }
  if (!missing.empty()) {
    std::vector<int> absent;
    for (size_t k : missing) absent.push_back(static_cast<int>(k) + 1);
    throw std::runtime_error("data-parallel: " + Join(absent) + " did not join within " + Seconds(g.timeout_ms) + at);
  }
}

// distInit(rank, worldSize, masterAddr, masterPort, timeoutMs)
TBT_FN(DistInit) {
  if (group)
    throw std::runtime_error("initDistributed: already initialised (rank " + std::to_string(group->rank) + " of " +
                             std::to_string(group->world) + "); shutdownDistributed first");
  auto g = std::make_unique<Group>();
  g->rank = static_cast<int>(IntArg(info, 0));
  g->world = static_cast<int>(IntArg(info, 1));
  std::string addr = StringArg(info, 2);
  int64_t port = IntArg(info, 3);
  g->timeout_ms = IntArg(info, 4);
  g->master = addr + ":" + std::to_string(port);
  if (g->world < 1 || g->rank < 0 || g->rank >= g->world)
    throw std::runtime_error("initDistributed: rank " + std::to_string(g->rank) + " is not in a world of " +
                             std::to_string(g->world));
  if (port < 1 || port > 65535) throw std::runtime_error("initDistributed: port " + std::to_string(port) + " is not 1-65535");
  if (g->timeout_ms < 1) throw std::runtime_error("initDistributed: timeoutMs must be positive");

  c10d::TCPStoreOptions o;
  o.port = static_cast<uint16_t>(port);
  o.isServer = g->rank == 0;
  o.waitWorkers = false;  // Agree() waits, and names who is missing
  o.timeout = Ms(g->timeout_ms);
  try {
    QuietLog quiet;
    g->store = c10::make_intrusive<c10d::TCPStore>(addr, o);
  } catch (const std::exception& e) {
    std::string reason = Reason(e);
    if (g->rank == 0 && Has(reason, "Address already in use"))
      throw std::runtime_error("data-parallel: rank 0 cannot serve the rendezvous: port " + std::to_string(port) +
                               " is already in use");
    if (g->rank == 0 && !Has(reason, "connect"))
      throw std::runtime_error("data-parallel: rank 0 cannot serve the rendezvous on port " + std::to_string(port) +
                               " (" + reason + ")");
    throw std::runtime_error("data-parallel: cannot reach the master at " + g->master + " within " +
                             Seconds(g->timeout_ms));
  }
  try {
    Agree(*g);
  } catch (const std::runtime_error&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error("data-parallel: rendezvous at " + g->master + " failed: " + Reason(e));
  }
  auto opts = c10d::ProcessGroupGloo::Options::create(Ms(g->timeout_ms));
  opts->devices = Devices(addr, g->rank);
  try {
    g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, g->rank, g->world, opts);
  } catch (const std::exception& e) {
    throw std::runtime_error("data-parallel: connecting the ranks (Gloo) failed: " + Reason(e) + " (master " +
                             g->master + ")");
  }
  group = g.release();
  return info.Env().Undefined();
}

// distState() -> [rank, worldSize], or null when not initialised.
TBT_FN(DistState) {
  if (!group) return info.Env().Null();
  auto a = Napi::Array::New(info.Env(), 2);
  a.Set(0u, group->rank);
  a.Set(1u, group->world);
  return a;
}

// distAllreduceSum(values: Float64Array): the sum over the ranks, in place.
TBT_FN(DistAllreduceSum) {
  Group& g = Active("allreduceSum");
  auto values = info[0].As<Napi::Float64Array>();
  std::vector<at::Tensor> t{at::from_blob(values.Data(), {static_cast<int64_t>(values.ElementLength())}, at::kDouble)};
  Run(g, [&] { return g.pg->allreduce(t); });
  return info.Env().Undefined();
}

// distBroadcast(handles: Int32Array, root): the tensors behind the handles get rank root's values
// (each handle then names a new tensor). Float tensors travel in one buffer, any others in a second
// (as doubles, exact for int32 and bool). Rank root's counts are checked first, so that different
// networks on different ranks are refused rather than misread.
TBT_FN(DistBroadcast) {
  Group& g = Active("broadcastVariables");
  auto handles = info[0].As<Napi::Int32Array>();
  int64_t root = IntArg(info, 1);
  if (root < 0 || root >= g.world)
    throw std::runtime_error("broadcastVariables: root " + std::to_string(root) + " is not a rank of a world of " +
                             std::to_string(g.world));
  std::vector<int32_t> groups[2];  // float, other
  int64_t sizes[2] = {0, 0};
  for (size_t k = 0; k < handles.ElementLength(); k++) {
    const auto& t = Get(handles[k]);
    int kind = t.scalar_type() == at::kFloat ? 0 : 1;
    groups[kind].push_back(handles[k]);
    sizes[kind] += t.numel();
  }
  std::vector<at::Tensor> counts{at::tensor({static_cast<int64_t>(handles.ElementLength()), sizes[0], sizes[1]}, at::kLong)};
  auto mine = counts[0].clone();
  c10d::BroadcastOptions bo;
  bo.rootRank = root;
  Run(g, [&] { return g.pg->broadcast(counts, bo); });
  if (!at::equal(mine, counts[0]))
    throw std::runtime_error("broadcastVariables: rank " + std::to_string(root) + " has " +
                             std::to_string(counts[0][0].item<int64_t>()) + " variables (" +
                             std::to_string(counts[0][1].item<int64_t>() + counts[0][2].item<int64_t>()) +
                             " values), rank " + std::to_string(g.rank) + " has " +
                             std::to_string(handles.ElementLength()) + " (" + std::to_string(sizes[0] + sizes[1]) +
                             "): not the same network");
  for (int kind = 0; kind < 2; kind++) {
    if (groups[kind].empty()) continue;
    auto flat = at::empty({sizes[kind]}, kind == 0 ? at::kFloat : at::kDouble);
    int64_t off = 0;
    for (int32_t h : groups[kind]) {
      const auto& t = Get(h);
      flat.narrow(0, off, t.numel()).view(t.sizes()).copy_(t);
      off += t.numel();
    }
    std::vector<at::Tensor> v{flat};
    Run(g, [&] { return g.pg->broadcast(v, bo); });
    off = 0;
    for (int32_t h : groups[kind]) {
      auto& t = Slot(h);
      auto value = flat.narrow(0, off, t.numel()).view(t.sizes()).to(t.scalar_type()).clone();
      off += t.numel();
      t = value;
    }
  }
  return info.Env().Undefined();
}

TBT_FN(DistBarrier) {
  Group& g = Active("barrier");
  Run(g, [&] { return g.pg->barrier(); });
  return info.Env().Undefined();
}

// Leaves the group (a no-op when there is none); after a failure too. Collectives finished on every
// rank before this: call barrier() first where the last one's bytes may still be on the wire.
// distStepStats() -> Float64Array [steps, stepMs, reduceMs, waitMs, buckets, bucketsInBackward,
// bytes, overlap (1: TBT_DIST_OVERLAP on)]: totals since the last distResetStepStats (StepStats).
TBT_FN(DistStepStats) {
  auto a = Napi::Float64Array::New(info.Env(), 8);
  const double v[8] = {stats.steps,   stats.step_ms,    stats.reduce_ms, stats.wait_ms,
                       stats.buckets, stats.overlapped, stats.bytes,     OverlapWanted() ? 1.0 : 0.0};
  std::copy(v, v + 8, a.Data());
  return a;
}

TBT_FN(DistResetStepStats) {
  stats = StepStats{};
  return info.Env().Undefined();
}

// TBT_DIST_STATS=FILE: each rank appends its step statistics to FILE, one JSON line, when it
// leaves the group (for a run whose ranks strata starts itself: bench/distributed.ts).
void DumpStats(const Group& g) {
  const char* file = std::getenv("TBT_DIST_STATS");
  if (!file || !*file) return;
  std::ostringstream line;
  line << "{\"rank\":" << g.rank << ",\"worldSize\":" << g.world << ",\"overlap\":" << (OverlapWanted() ? "true" : "false")
       << ",\"steps\":" << stats.steps << ",\"stepMs\":" << stats.step_ms << ",\"reduceMs\":" << stats.reduce_ms
       << ",\"waitMs\":" << stats.wait_ms << ",\"buckets\":" << stats.buckets
       << ",\"bucketsInBackward\":" << stats.overlapped << ",\"bytes\":" << stats.bytes << "}\n";
  std::ofstream(file, std::ios::app) << line.str();
}

TBT_FN(DistShutdown) {
  Group* g = group;
  group = nullptr;
  if (g) DumpStats(*g);
  delete g;
  return info.Env().Undefined();
}

}  // namespace

bool DistActive() { return group != nullptr; }

// Floats per bucket: ~25 MB, PyTorch DDP's default (TBT_BUCKET_MB, read once, as its bucket_cap_mb).
static int64_t BucketCap() {
  static const int64_t cap = [] {
    const char* mb = std::getenv("TBT_BUCKET_MB");
    double cap = mb && std::atof(mb) > 0 ? std::atof(mb) : 25;
    return std::max<int64_t>(1, static_cast<int64_t>(cap * (1 << 20) / sizeof(float)));
  }();
  return cap;
}

void DistReduceStep(std::vector<at::Tensor>& grads, double scale, std::vector<at::Tensor>& moving, double* metrics,
                    size_t n_metrics) {
  Group& g = Active("trainStep");
  const auto t0 = Clock::now();
  struct Item {
    at::Tensor* t;
    double factor;
    bool moving;
  };
  std::vector<Item> items;
  for (auto& t : grads)
    if (t.defined()) items.push_back({&t, scale, false});
  for (auto& t : moving) items.push_back({&t, 1.0 / g.world, true});
  // The metrics ride in the last bucket (a collective costs ~0.7 ms on a busy 2-core machine); float
  // is the loss's own precision.
  at::Tensor m = at::empty({static_cast<int64_t>(n_metrics)}, at::kFloat);
  for (size_t k = 0; k < n_metrics; k++) m.data_ptr<float>()[k] = static_cast<float>(metrics[k] * scale);
  if (n_metrics) items.push_back({&m, 1, false});
  // Buckets of ~25 MB (BucketCap), split between tensors (a larger tensor goes alone).
  const int64_t kBucket = BucketCap();
  for (size_t k = 0; k < items.size();) {
    size_t end = k;
    int64_t n = 0;
    while (end < items.size() && (end == k || n + items[end].t->numel() <= kBucket)) n += items[end++].t->numel();
    auto flat = at::empty({n}, at::kFloat);
    int64_t off = 0;
    for (size_t j = k; j < end; j++) {
      const auto& t = *items[j].t;
      auto seg = flat.narrow(0, off, t.numel());
      seg.view(t.sizes()).copy_(t);
      if (items[j].factor != 1) seg.mul_(items[j].factor);
      off += t.numel();
    }
    std::vector<at::Tensor> v{flat};
    Run(g, [&] { return g.pg->allreduce(v); });
    off = 0;
    for (size_t j = k; j < end; j++) {
      auto& t = *items[j].t;
      auto seg = flat.narrow(0, off, t.numel()).view(t.sizes());
      off += t.numel();
      if (seg.scalar_type() != t.scalar_type()) seg = seg.to(t.scalar_type());
      // Gradients are read once by the update; moving statistics are kept, without the bucket.
      t = items[j].moving ? seg.clone() : seg;
    }
    stats.buckets++;
    stats.bytes += static_cast<double>(n) * sizeof(float);
    k = end;
  }
  for (size_t k = 0; k < n_metrics; k++) metrics[k] = m[k].item<double>();
  const double ms = MsSince(t0);
  stats.reduce_ms += ms;
  stats.wait_ms += ms;  // nothing overlaps: all of it after the backward
}

namespace {

// DDP's bucket assignment: reverse parameter order (the backward's), a bucket closed once it
// reaches its cap (a large tensor closes the one it joins); the first capped at 1 MB, so that the
// first collective starts early. Calls add(k, bucket, offset) for each leaf k; returns the sizes.
template <class Add>
std::vector<int64_t> PlanBuckets(const std::vector<at::Tensor>& leaves, Add add) {
  const int64_t cap = BucketCap(), first = std::min<int64_t>(cap, (1 << 20) / sizeof(float));
  std::vector<int64_t> sizes;
  for (size_t k = leaves.size(); k-- > 0;) {
    if (sizes.empty() || sizes.back() >= (sizes.size() == 1 ? first : cap)) sizes.push_back(0);
    add(k, sizes.size() - 1, sizes.back());
    sizes.back() += leaves[k].numel();
  }
  return sizes;
}

}  // namespace

// One bucket has nothing to overlap (it is complete only when the backward is): the step then
// reduces after the backward, on torch::autograd::grad, without hooks.
bool DistOverlap(const std::vector<at::Tensor>& leaves) {
  return group != nullptr && OverlapWanted() && PlanBuckets(leaves, [](size_t, size_t, int64_t) {}).size() > 1;
}

void DistRecordStep(double ms) {
  stats.steps++;
  stats.step_ms += ms;
}

namespace {

class Overlap final : public OverlapStep {
 public:
  Overlap(Group& g, const std::vector<at::Tensor>& leaves, double scale, const std::vector<at::Tensor>& moving,
          const double* metrics, size_t n_metrics)
      : g_(g), scale_(scale), n_metrics_(n_metrics) {
    const size_t n = leaves.size();
    slot_.resize(n);
    received_.assign(n, false);
    auto sizes = PlanBuckets(leaves, [&](size_t k, size_t bucket, int64_t offset) {
      slot_[k] = {bucket, offset, leaves[k].sizes().vec()};
    });
    if (sizes.empty()) sizes.push_back(0);
    buckets_.resize(sizes.size());
    for (const auto& s : slot_) buckets_[s.bucket].pending++;
    // The moving statistics (averaged: scaled by 1 / world) and the metrics (float, the loss's own
    // precision) ride in the last bucket, launched when the backward ends anyway.
    extras_ = sizes.back();
    for (const auto& t : moving) sizes.back() += t.numel();
    sizes.back() += static_cast<int64_t>(n_metrics);
    for (size_t b = 0; b < buckets_.size(); b++) buckets_[b].flat = at::empty({sizes[b]}, at::kFloat);
    auto& last = buckets_.back().flat;
    int64_t off = extras_;
    for (const auto& t : moving) {
      auto seg = last.narrow(0, off, t.numel());
      seg.view(t.sizes()).copy_(t);
      seg.mul_(1.0 / g.world);
      off += t.numel();
    }
    float* m = last.data_ptr<float>() + off;
    for (size_t k = 0; k < n_metrics; k++) m[k] = static_cast<float>(metrics[k] * scale);
  }

  // Leaf k's gradient, from its hook in the backward.
  void Ready(size_t k, const at::Tensor& grad) {
    const auto t0 = Clock::now();
    auto& s = slot_[k];
    auto& b = buckets_[s.bucket];
    auto seg = Segment(k);
    if (received_[k]) {
      seg.add_(grad.reshape(s.sizes) * scale_);  // not expected: AccumulateGrad runs once per leaf
    } else {
      seg.copy_(grad);
      if (scale_ != 1) seg.mul_(scale_);
      received_[k] = true;
      b.pending--;
    }
    while (next_ < buckets_.size() && buckets_[next_].pending == 0) {
      Launch(next_++);
      in_backward_++;
    }
    hook_ms_ += MsSince(t0);
  }

  void Finish(std::vector<at::Tensor>& grads, std::vector<at::Tensor>& moving, double* metrics) override {
    const auto t0 = Clock::now();
    for (size_t k = 0; k < slot_.size(); k++)
      if (!received_[k]) Segment(k).zero_();  // a parameter the loss does not reach: no gradient
    while (next_ < buckets_.size()) Launch(next_++);
    for (auto& b : buckets_) Wait(g_, b.work);
    grads.assign(slot_.size(), at::Tensor());
    for (size_t k = 0; k < slot_.size(); k++)
      if (received_[k]) grads[k] = Segment(k);
    const auto& last = buckets_.back().flat;
    int64_t off = extras_;
    for (auto& t : moving) {
      auto seg = last.narrow(0, off, t.numel()).view(t.sizes());
      off += t.numel();
      t = seg.to(t.scalar_type()).clone();  // kept: not a view of the bucket
    }
    const float* m = last.data_ptr<float>() + off;
    for (size_t k = 0; k < n_metrics_; k++) metrics[k] = m[k];
    const double wait = MsSince(t0);
    stats.reduce_ms += hook_ms_ + wait;
    stats.wait_ms += wait;
    stats.buckets += static_cast<double>(buckets_.size());
    stats.overlapped += static_cast<double>(in_backward_);
    for (const auto& b : buckets_) stats.bytes += static_cast<double>(b.flat.numel()) * sizeof(float);
  }

 private:
  struct Slot {
    size_t bucket;
    int64_t offset;
    std::vector<int64_t> sizes;
  };
  struct Bucket {
    at::Tensor flat;
    int64_t pending = 0;  // gradients not yet in
    c10::intrusive_ptr<c10d::Work> work;
  };

  at::Tensor Segment(size_t k) {
    const auto& s = slot_[k];
    int64_t numel = 1;
    for (auto d : s.sizes) numel *= d;
    return buckets_[s.bucket].flat.narrow(0, s.offset, numel).view(s.sizes);
  }

  // Starts bucket b's allreduce on Gloo's threads (the Work holds the buffer).
  void Launch(size_t b) {
    std::vector<at::Tensor> v{buckets_[b].flat};
    try {
      buckets_[b].work = g_.pg->allreduce(v);
    } catch (const std::exception& e) {
      Fail(g_, Reason(e));
    }
  }

  Group& g_;
  double scale_;
  size_t n_metrics_;
  std::vector<Slot> slot_;  // per leaf: its bucket, offset and shape
  std::vector<bool> received_;
  std::vector<Bucket> buckets_;
  int64_t extras_ = 0;  // where the moving statistics, then the metrics, start in the last bucket
  size_t next_ = 0;     // the next bucket to launch: in order, on every rank
  size_t in_backward_ = 0;
  double hook_ms_ = 0;
};

}  // namespace

std::unique_ptr<OverlapStep> DistBeginOverlap(std::vector<at::Tensor>& leaves, double scale,
                                              const std::vector<at::Tensor>& moving, const double* metrics,
                                              size_t n_metrics) {
  Group& g = Active("trainStep");
  auto overlap = std::make_unique<Overlap>(g, leaves, scale, moving, metrics, n_metrics);
  Overlap* self = overlap.get();
  for (size_t k = 0; k < leaves.size(); k++)
    leaves[k].register_hook([self, k](const at::Tensor& grad) { self->Ready(k, grad); });
  return overlap;
}


void RegisterDist(Napi::Env env, Napi::Object exports) {
  exports.Set("distSupported", Napi::Function::New(
                                   env, [](const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), true); },
                                   "distSupported"));
  exports.Set("distInit", Napi::Function::New(env, DistInit, "distInit"));
  exports.Set("distState", Napi::Function::New(env, DistState, "distState"));
  exports.Set("distAllreduceSum", Napi::Function::New(env, DistAllreduceSum, "distAllreduceSum"));
  exports.Set("distBroadcast", Napi::Function::New(env, DistBroadcast, "distBroadcast"));
  exports.Set("distBarrier", Napi::Function::New(env, DistBarrier, "distBarrier"));
  exports.Set("distShutdown", Napi::Function::New(env, DistShutdown, "distShutdown"));
  exports.Set("distStepStats", Napi::Function::New(env, DistStepStats, "distStepStats"));
  exports.Set("distResetStepStats", Napi::Function::New(env, DistResetStepStats, "distResetStepStats"));
}

#else  // built without Gloo's headers: no process group; JS is told so (distSupported false)

bool DistActive() { return false; }
void DistReduceStep(std::vector<at::Tensor>&, double, std::vector<at::Tensor>&, double*, size_t) {
  throw std::logic_error("data-parallel training is not built into this addon");
}
bool DistOverlap(const std::vector<at::Tensor>&) { return false; }
std::unique_ptr<OverlapStep> DistBeginOverlap(std::vector<at::Tensor>&, double, const std::vector<at::Tensor>&,
                                              const double*, size_t) {
  throw std::logic_error("data-parallel training is not built into this addon");
}
void DistRecordStep(double) {}
void RegisterDist(Napi::Env env, Napi::Object exports) {
  exports.Set("distSupported", Napi::Function::New(
                                   env, [](const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), false); },
                                   "distSupported"));
}

#endif

}  // namespace tbt
