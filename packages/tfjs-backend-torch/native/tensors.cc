#include "tensors.h"

#include <unordered_map>

namespace tbt {

namespace {
std::unordered_map<int32_t, at::Tensor>& Table() {
  static std::unordered_map<int32_t, at::Tensor> table;
  return table;
}
int32_t next_handle = 1;
}  // namespace

int32_t Put(at::Tensor t) {
  int32_t h = next_handle++;
  if (next_handle == INT32_MAX) next_handle = 1;
  Table().emplace(h, std::move(t));
  return h;
}

const at::Tensor& Get(int32_t handle) {
  auto it = Table().find(handle);
  if (it == Table().end()) throw std::runtime_error("tfjs-backend-torch: unknown tensor handle " + std::to_string(handle));
  return it->second;
}

at::Tensor& Slot(int32_t handle) { return const_cast<at::Tensor&>(Get(handle)); }

void Release(int32_t handle) { Table().erase(handle); }

size_t LiveCount() { return Table().size(); }

const at::Tensor& TensorArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected a tensor handle");
  }
  return Get(info[i].As<Napi::Number>().Int32Value());
}

std::vector<int64_t> IntsArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected an array of integers");
  }
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) out[k] = arr.Get(k).As<Napi::Number>().Int64Value();
  return out;
}

int64_t IntArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected an integer");
  }
  return info[i].As<Napi::Number>().Int64Value();
}

double NumberArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

bool BoolArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected a boolean");
  }
  return info[i].As<Napi::Boolean>().Value();
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsString()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + ": expected a string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}

namespace {
// Shared with JS (see SetScratch): after each op, [rank, dtype code, dim0, dim1, …] of its output,
// so JS learns the output's shape without a second call.
Napi::Reference<Napi::Int32Array> scratch_ref;
int32_t* scratch = nullptr;
size_t scratch_len = 0;

int32_t DtypeCode(at::ScalarType t) { return t == at::kFloat ? 0 : t == at::kInt ? 1 : 2; }
}  // namespace

void SetScratch(Napi::Int32Array array) {
  scratch_ref = Napi::Persistent(array);
  scratch = array.Data();
  scratch_len = array.ElementLength();
}

Napi::Value Handles(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(info.Env(), ts.size());
  for (size_t k = 0; k < ts.size(); k++) arr.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), Put(ts[k])));
  return arr;
}

Napi::Value Handle(const Napi::CallbackInfo& info, at::Tensor t) {
  // Every tensor handed to TF.js has one of its dtypes; wider integer or float results are narrowed.
  switch (t.scalar_type()) {
    case at::kFloat: case at::kInt: case at::kBool: break;
    case at::kDouble: case at::kHalf: case at::kBFloat16: t = t.to(at::kFloat); break;
    default: t = t.to(at::kInt);
  }
  if (scratch != nullptr && static_cast<size_t>(t.dim()) + 2 <= scratch_len) {
    scratch[0] = static_cast<int32_t>(t.dim());
    scratch[1] = DtypeCode(t.scalar_type());
    for (int64_t d = 0; d < t.dim(); d++) scratch[2 + d] = static_cast<int32_t>(t.size(d));
  }
  return Napi::Number::New(info.Env(), Put(std::move(t)));
}

at::ScalarType ScalarTypeOf(const std::string& dtype) {
  if (dtype == "float32") return at::kFloat;
  if (dtype == "int32") return at::kInt;
  if (dtype == "bool") return at::kBool;
  throw std::runtime_error("tfjs-backend-torch: unsupported dtype " + dtype);
}

const char* DtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kInt: return "int32";
    case at::kBool: return "bool";
    default: return "unsupported";
  }
}

}  // namespace tbt
