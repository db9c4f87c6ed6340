// The handle table: JS holds small integer handles, C++ holds the at::Tensor they name.
// Integer handles (rather than napi externals with finalizers) match TF.js's explicit
// disposal model: a tensor lives until TF.js calls disposeData, never until a GC runs.
#pragma once
#include <ATen/ATen.h>
#include <napi.h>
#include <string>
#include <vector>

namespace tbt {

int32_t Put(at::Tensor t);
const at::Tensor& Get(int32_t handle);
// The table's own entry, to update a tensor behind a handle (the native training step).
at::Tensor& Slot(int32_t handle);
void Release(int32_t handle);
size_t LiveCount();

// Argument helpers for N-API entry points. All throw Napi::Error on bad input.
const at::Tensor& TensorArg(const Napi::CallbackInfo& info, size_t i);
std::vector<int64_t> IntsArg(const Napi::CallbackInfo& info, size_t i);
int64_t IntArg(const Napi::CallbackInfo& info, size_t i);
double NumberArg(const Napi::CallbackInfo& info, size_t i);
bool BoolArg(const Napi::CallbackInfo& info, size_t i);
std::string StringArg(const Napi::CallbackInfo& info, size_t i);
// Stores `t` and returns its handle; writes its rank, dtype and shape into the scratch array.
Napi::Value Handle(const Napi::CallbackInfo& info, at::Tensor t);
// Stores each tensor and returns a JS array of their handles (ops with several outputs; JS asks
// their shapes separately or knows them).
Napi::Value Handles(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts);
void SetScratch(Napi::Int32Array array);

// TF.js dtype names <-> torch scalar types (float32, int32, bool).
at::ScalarType ScalarTypeOf(const std::string& dtype);
const char* DtypeName(at::ScalarType t);

// Applies a fused kernel's activation ("linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu").
at::Tensor ActivateFused(at::Tensor y, const std::string& activation, const at::Tensor* prelu, double leaky_alpha);

// Each op family registers its functions on the addon's exports.
void RegisterCore(Napi::Env env, Napi::Object exports);
void RegisterElementwise(Napi::Env env, Napi::Object exports);
void RegisterLinalg(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterReduce(Napi::Env env, Napi::Object exports);
void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterNorm(Napi::Env env, Napi::Object exports);
void RegisterTrain(Napi::Env env, Napi::Object exports);

}  // namespace tbt

// Wraps an entry point so libtorch's c10::Error becomes a JS exception with its message.
#define TBT_FN(name) \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info); \
  static Napi::Value name(const Napi::CallbackInfo& info) { \
    try { return name##Impl(info); } \
    catch (const Napi::Error&) { throw; } \
    catch (const c10::Error& e) { throw Napi::Error::New(info.Env(), std::string("libtorch: ") + e.what_without_backtrace()); } \
    catch (const std::exception& e) { throw Napi::Error::New(info.Env(), e.what()); } \
  } \
  static Napi::Value name##Impl(const Napi::CallbackInfo& info)

