// Moving data between JS typed arrays and libtorch, handle lifetime, threads.
#include <ATen/Parallel.h>
#include <cstring>
#include <torch/csrc/api/include/torch/version.h>

#include "tensors.h"

namespace tbt {

// upload(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: string): handle
TBT_FN(Upload) {
  auto array = info[0].As<Napi::TypedArray>();
  auto shape = IntsArg(info, 1);
  auto type = ScalarTypeOf(StringArg(info, 2));
  auto t = at::empty(shape, at::TensorOptions().dtype(type));
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  if (array.ByteLength() != bytes) {
    throw Napi::Error::New(info.Env(), "upload: " + std::to_string(array.ByteLength()) + " bytes for a tensor of " +
                                           std::to_string(bytes));
  }
  auto* src = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  if (type == at::kBool) {
    // TF.js stores bools as 0/1 bytes, and so does torch; normalise any non-zero byte to 1.
    auto* dst = t.data_ptr<bool>();
    for (size_t k = 0; k < bytes; k++) dst[k] = src[k] != 0;
  } else if (bytes > 0) {
    std::memcpy(t.data_ptr(), src, bytes);
  }
  return Handle(info, t);
}

// download(handle): Float32Array | Int32Array | Uint8Array, a copy in row-major order.
TBT_FN(Download) {
  auto t = TensorArg(info, 0).contiguous();
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(info.Env(), bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  switch (t.scalar_type()) {
    case at::kFloat: return Napi::Float32Array::New(info.Env(), t.numel(), buffer, 0);
    case at::kInt: return Napi::Int32Array::New(info.Env(), t.numel(), buffer, 0);
    case at::kBool: return Napi::Uint8Array::New(info.Env(), t.numel(), buffer, 0);
    default: throw Napi::Error::New(info.Env(), "download: unsupported dtype");
  }
}

TBT_FN(ReleaseHandle) {
  Release(static_cast<int32_t>(IntArg(info, 0)));
  return info.Env().Undefined();
}

TBT_FN(Live) { return Napi::Number::New(info.Env(), static_cast<double>(LiveCount())); }

TBT_FN(SetThreads) {
  at::set_num_threads(static_cast<int>(IntArg(info, 0)));
  return info.Env().Undefined();
}

TBT_FN(GetThreads) { return Napi::Number::New(info.Env(), at::get_num_threads()); }

// info(): what this build of libtorch is.
TBT_FN(BuildInfo) {
  auto o = Napi::Object::New(info.Env());
  o.Set("torchVersion", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH));
  o.Set("parallel", at::get_parallel_info());
  return o;
}

TBT_FN(ShapeOf) {
  const auto& t = TensorArg(info, 0);
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t k = 0; k < t.dim(); k++) arr.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), t.size(k)));
  return arr;
}

TBT_FN(DtypeOf) { return Napi::String::New(info.Env(), DtypeName(TensorArg(info, 0).scalar_type())); }

// setScratch(Int32Array): where each op reports its output's rank, dtype and shape.
TBT_FN(SetScratchArray) {
  SetScratch(info[0].As<Napi::Int32Array>());
  return info.Env().Undefined();
}

void RegisterCore(Napi::Env env, Napi::Object exports) {
  exports.Set("setScratch", Napi::Function::New(env, SetScratchArray, "setScratch"));
  exports.Set("upload", Napi::Function::New(env, Upload, "upload"));
  exports.Set("download", Napi::Function::New(env, Download, "download"));
  exports.Set("release", Napi::Function::New(env, ReleaseHandle, "release"));
  exports.Set("live", Napi::Function::New(env, Live, "live"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  exports.Set("shapeOf", Napi::Function::New(env, ShapeOf, "shapeOf"));
  exports.Set("dtypeOf", Napi::Function::New(env, DtypeOf, "dtypeOf"));
}

}  // namespace tbt
