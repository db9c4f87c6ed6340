// Shared by the addon's two files: XGBoost return codes as JS errors, argument checks, and
// the DMatrix wrapper that the Booster unwraps.
#pragma once
#include <napi.h>
#include <xgboost/c_api.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace xgbn {

// XGBGetLastError()'s text without the native backtrace that XGBoost appends ("\nStack trace:
// [bt] (0) libxgboost.so..."), which says nothing to a JS caller.
inline std::string LastErrorWithoutTrace(const std::string& text) {
  std::string out = text.substr(0, text.find("\nStack trace:"));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == ':')) out.pop_back();
  return out;
}

// An Error for a failed XGBoost call: message "<what>: <XGBoost's reason>", and the untrimmed
// XGBGetLastError() text (backtrace included) in its `xgboostLastError` property.
inline Napi::Error XGBoostError(Napi::Env env, const char* what) {
  std::string text = XGBGetLastError();
  auto error = Napi::Error::New(env, std::string(what) + ": " + LastErrorWithoutTrace(text));
  error.Value().Set("xgboostLastError", Napi::String::New(env, text));
  return error;
}

// Every XGBoost C call returns 0 on success and -1 (or -2) on failure, with the reason in the
// calling thread's XGBGetLastError(). `what` names the call, so the message says where it failed.
inline void Check(Napi::Env env, int rc, const char* what) {
  if (rc != 0) throw XGBoostError(env, what);
}

[[noreturn]] inline void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

[[noreturn]] inline void ThrowRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

// Argument i as a non-negative integer no larger than `max` (TypeError / RangeError otherwise).
uint64_t CountArg(const Napi::CallbackInfo& info, size_t i, const char* what, uint64_t max);
// Argument i as a number (NaN and infinities included).
double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* what);
// Argument i as a Float32Array.
Napi::Float32Array Float32Arg(const Napi::CallbackInfo& info, size_t i, const char* what);
// Argument i as a string.
std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what);

// Handles held by DMatrix and Booster objects in this process (all Node environments), for
// leak checks. Finalizers may run on any environment's thread, hence atomic.
inline std::atomic<int64_t> live_dmatrices{0};
inline std::atomic<int64_t> live_boosters{0};

// Per Node environment (worker threads load their own copy): the DMatrix constructor, to tell
// a DMatrix argument from any other object.
struct AddonData {
  Napi::FunctionReference dmatrix;
};

// A DMatrixHandle owned by a JS object. dispose() frees it now; the N-API finalizer (this
// destructor, run when the JS object is collected) frees it otherwise. XGBoost holds DMatrix
// objects by shared_ptr, so freeing a handle that a Booster caches is safe.
class DMatrix : public Napi::ObjectWrap<DMatrix> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit DMatrix(const Napi::CallbackInfo& info);
  ~DMatrix() override;
  // The live handle; a JS Error if this DMatrix was disposed (`what` names the caller).
  DMatrixHandle Live(Napi::Env env, const char* what) const;
  // `value` as a native DMatrix (TypeError naming `what` for anything else).
  static DMatrix* From(Napi::Env env, Napi::Value value, const std::string& what);
  // Its number of rows, as XGBoost counts them.
  uint64_t NumRows(Napi::Env env) const;

 private:
  Napi::Value SetFloatInfo(const Napi::CallbackInfo& info);
  Napi::Value Rows(const Napi::CallbackInfo& info);
  Napi::Value Cols(const Napi::CallbackInfo& info);
  Napi::Value NonMissing(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  void Free();
  DMatrixHandle handle_ = nullptr;
};

// The native Booster class (booster.cc).
Napi::Function DefineBooster(Napi::Env env);

}  // namespace xgbn
