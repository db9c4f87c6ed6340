// The xgboost-native addon: library information, argument helpers and the DMatrix wrapper.
// The Booster wrapper is in booster.cc.
#include <cmath>

#include "xgb.h"

namespace xgbn {

uint64_t CountArg(const Napi::CallbackInfo& info, size_t i, const char* what, uint64_t max) {
  if (!info[i].IsNumber()) ThrowType(info.Env(), std::string(what) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || std::floor(v) != v || v > static_cast<double>(max))
    ThrowRange(info.Env(), std::string(what) + " must be an integer in [0, " + std::to_string(max) + "], got " +
                               info[i].ToString().Utf8Value());
  return static_cast<uint64_t>(v);
}

double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) ThrowType(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

Napi::Float32Array Float32Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    ThrowType(info.Env(), std::string(what) + " must be a Float32Array");
  return info[i].As<Napi::Float32Array>();
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsString()) ThrowType(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Function DMatrix::Define(Napi::Env env) {
  return DefineClass(env, "NativeDMatrix",
                     {
                         InstanceMethod<&DMatrix::SetFloatInfo>("setFloatInfo"),
                         InstanceMethod<&DMatrix::Rows>("rows"),
                         InstanceMethod<&DMatrix::Cols>("cols"),
                         InstanceMethod<&DMatrix::NonMissing>("numNonMissing"),
                         InstanceMethod<&DMatrix::Dispose>("dispose"),
                         InstanceMethod<&DMatrix::Disposed>("disposed"),
                     });
}

// new NativeDMatrix(data: Float32Array, rows, cols, missing: number, nthread): a copy of the
// dense row-major data; entries equal to `missing` (NaN: NaN entries) are absent.
DMatrix::DMatrix(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DMatrix>(info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) ThrowType(env, "NativeDMatrix(data, rows, cols, missing, nthread): 5 arguments");
  auto data = Float32Arg(info, 0, "DMatrix data");
  // XGBoost indexes rows and columns as 32-bit in places; keep both well inside that.
  uint64_t rows = CountArg(info, 1, "DMatrix rows", 0x7fffffff);
  uint64_t cols = CountArg(info, 2, "DMatrix cols", 0x7fffffff);
  double missing = NumberArg(info, 3, "DMatrix missing");
  int nthread = static_cast<int>(CountArg(info, 4, "DMatrix nthread", 4096));
  if (rows * cols != data.ElementLength())
    ThrowRange(env, "DMatrix: data has " + std::to_string(data.ElementLength()) + " values, rows * cols = " +
                        std::to_string(rows) + " * " + std::to_string(cols) + " = " + std::to_string(rows * cols));
  Check(env,
        XGDMatrixCreateFromMat_omp(data.Data(), rows, cols, static_cast<float>(missing), &handle_, nthread),
        "XGDMatrixCreateFromMat");
  live_dmatrices++;
}

DMatrix::~DMatrix() { Free(); }

// Frees the handle once; XGDMatrixFree only fails for a null handle, which this never passes.
void DMatrix::Free() {
  if (!handle_) return;
  XGDMatrixFree(handle_);
  handle_ = nullptr;
  live_dmatrices--;
}

DMatrixHandle DMatrix::Live(Napi::Env env, const char* what) const {
  if (!handle_) throw Napi::Error::New(env, std::string(what) + ": the DMatrix has been disposed");
  return handle_;
}

DMatrix* DMatrix::From(Napi::Env env, Napi::Value value, const std::string& what) {
  auto* data = env.GetInstanceData<AddonData>();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(data->dmatrix.Value()))
    ThrowType(env, what + " must be a DMatrix");
  return DMatrix::Unwrap(value.As<Napi::Object>());
}

uint64_t DMatrix::NumRows(Napi::Env env) const {
  bst_ulong n = 0;
  Check(env, XGDMatrixNumRow(Live(env, "DMatrix.rows"), &n), "XGDMatrixNumRow");
  return n;
}

// setFloatInfo(field: "label" | "weight", values: Float32Array): one value per row.
Napi::Value DMatrix::SetFloatInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string field = StringArg(info, 0, "field");
  if (field != "label" && field != "weight") ThrowType(env, "DMatrix field must be \"label\" or \"weight\"");
  auto values = Float32Arg(info, 1, field.c_str());
  uint64_t rows = NumRows(env);
  if (values.ElementLength() != rows)
    ThrowRange(env, "DMatrix " + field + ": " + std::to_string(values.ElementLength()) + " values for " +
                        std::to_string(rows) + " rows");
  Check(env, XGDMatrixSetFloatInfo(Live(env, "DMatrix.setFloatInfo"), field.c_str(), values.Data(), rows),
        "XGDMatrixSetFloatInfo");
  return env.Undefined();
}

Napi::Value DMatrix::Rows(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(NumRows(info.Env())));
}

Napi::Value DMatrix::Cols(const Napi::CallbackInfo& info) {
  bst_ulong n = 0;
  Check(info.Env(), XGDMatrixNumCol(Live(info.Env(), "DMatrix.cols"), &n), "XGDMatrixNumCol");
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value DMatrix::NonMissing(const Napi::CallbackInfo& info) {
  bst_ulong n = 0;
  Check(info.Env(), XGDMatrixNumNonMissing(Live(info.Env(), "DMatrix.numNonMissing"), &n), "XGDMatrixNumNonMissing");
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

Napi::Value DMatrix::Dispose(const Napi::CallbackInfo& info) {
  Free();
  return info.Env().Undefined();
}

Napi::Value DMatrix::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !handle_); }

// version(): [major, minor, patch] of the libxgboost that is loaded (not the headers').
static Napi::Value Version(const Napi::CallbackInfo& info) {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  auto out = Napi::Array::New(info.Env(), 3);
  out.Set(0u, major);
  out.Set(1u, minor);
  out.Set(2u, patch);
  return out;
}

// buildInfo(): XGBoost's JSON description of its build (OpenMP, CUDA, compiler).
static Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  const char* out = nullptr;
  Check(info.Env(), XGBuildInfo(&out), "XGBuildInfo");
  return Napi::String::New(info.Env(), out);
}

// live(): { dmatrices, boosters }, how many handles are held (disposal and finalizers lower it).
static Napi::Value Live(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  out.Set("dmatrices", Napi::Number::New(info.Env(), static_cast<double>(live_dmatrices.load())));
  out.Set("boosters", Napi::Number::New(info.Env(), static_cast<double>(live_boosters.load())));
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);  // deleted by N-API when the environment goes away
  auto dmatrix = DMatrix::Define(env);
  data->dmatrix = Napi::Persistent(dmatrix);
  exports.Set("DMatrix", dmatrix);
  exports.Set("Booster", DefineBooster(env));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  exports.Set("live", Napi::Function::New(env, Live, "live"));
  return exports;
}

}  // namespace xgbn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return xgbn::Init(env, exports); }

NODE_API_MODULE(xgboost_native, InitAddon)
