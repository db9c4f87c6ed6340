// The Booster wrapper: a BoosterHandle owned by a JS object, and the XGBoost calls on it.
#include <algorithm>
#include <string>
#include <vector>

#include "xgb.h"

namespace xgbn {

namespace {

class Booster : public Napi::ObjectWrap<Booster> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeBooster",
                       {
                           InstanceMethod<&Booster::SetParam>("setParam"),
                           InstanceMethod<&Booster::UpdateOneIter>("updateOneIter"),
                           InstanceMethod<&Booster::EvalOneIter>("evalOneIter"),
                           InstanceMethod<&Booster::Predict>("predict"),
                           InstanceMethod<&Booster::PredictContributions>("predictContributions"),
                           InstanceMethod<&Booster::BoostedRounds>("boostedRounds"),
                           InstanceMethod<&Booster::NumFeatures>("numFeatures"),
                           InstanceMethod<&Booster::SaveModel>("saveModel"),
                           InstanceMethod<&Booster::LoadModel>("loadModel"),
                           InstanceMethod<&Booster::SaveConfig>("saveConfig"),
                           InstanceMethod<&Booster::SetAttr>("setAttr"),
                           InstanceMethod<&Booster::GetAttr>("getAttr"),
                           InstanceMethod<&Booster::AttrNames>("attrNames"),
                           InstanceMethod<&Booster::Dispose>("dispose"),
                           InstanceMethod<&Booster::Disposed>("disposed"),
                       });
  }

  // new NativeBooster(cache: NativeDMatrix[]): XGBoosterCreate over the matrices it caches
  // predictions for (the training and evaluation sets).
  explicit Booster(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Booster>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsArray()) ThrowType(env, "NativeBooster(cache): cache must be an array");
    auto cache = info[0].As<Napi::Array>();
    std::vector<DMatrixHandle> handles;
    for (uint32_t k = 0; k < cache.Length(); k++) {
      auto* d = DMatrix::From(env, cache.Get(k), "Booster cache[" + std::to_string(k) + "]");
      handles.push_back(d->Live(env, "Booster cache"));
    }
    Check(env, XGBoosterCreate(handles.data(), handles.size(), &handle_), "XGBoosterCreate");
    live_boosters++;
  }

  ~Booster() override { Free(); }

 private:
  BoosterHandle Live(Napi::Env env, const char* what) const {
    if (!handle_) throw Napi::Error::New(env, std::string(what) + ": the Booster has been disposed");
    if (!broken_.empty())
      throw Napi::Error::New(env, std::string(what) + ": this Booster is unusable since XGBoost failed to configure it (" +
                                      broken_ + "); XGBoost 1.7 leaves a booster half-configured then, create a new one");
    return handle_;
  }

  // The handle, configured. XGBoost checks parameters lazily, in a "configure" step that the
  // next update, evaluation, prediction or save runs. If that step fails XGBoost 1.7 leaves the
  // booster half-built (e.g. a tree updater whose parameters were rejected is never created)
  // and a later update dereferences what is missing: a segfault. So the step runs here, on its
  // own (XGBoosterSaveJsonConfig starts with it), and a failure retires the booster for good.
  BoosterHandle Configured(Napi::Env env, const char* what) {
    BoosterHandle h = Live(env, what);
    if (!dirty_) return h;
    bst_ulong len = 0;
    const char* out = nullptr;
    if (XGBoosterSaveJsonConfig(h, &len, &out) != 0) {
      Napi::Error error = XGBoostError(env, what);
      std::string reason = LastErrorWithoutTrace(XGBGetLastError());
      broken_ = reason.substr(0, reason.find('\n'));
      throw error;
    }
    dirty_ = false;
    return h;
  }

  // setParam(name: string, value: string); checked at the next configure step.
  Napi::Value SetParam(const Napi::CallbackInfo& info) {
    std::string name = StringArg(info, 0, "parameter name");
    std::string value = StringArg(info, 1, "parameter value");
    Check(info.Env(), XGBoosterSetParam(Live(info.Env(), "Booster.setParam"), name.c_str(), value.c_str()),
          "XGBoosterSetParam");
    dirty_ = true;
    return info.Env().Undefined();
  }

  // updateOneIter(iteration: number, dtrain: NativeDMatrix): one boosting round.
  Napi::Value UpdateOneIter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int iteration = static_cast<int>(CountArg(info, 0, "iteration", 0x7fffffff));
    DMatrixHandle dtrain = DMatrix::From(env, info[1], "dtrain")->Live(env, "Booster.updateOneIter");
    Check(env, XGBoosterUpdateOneIter(Configured(env, "Booster.updateOneIter"), iteration, dtrain),
          "XGBoosterUpdateOneIter");
    return env.Undefined();
  }

  // evalOneIter(iteration, dmats: NativeDMatrix[], names: string[]): XGBoost's evaluation line,
  // "[iteration]\tname-metric:value\t...".
  Napi::Value EvalOneIter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int iteration = static_cast<int>(CountArg(info, 0, "iteration", 0x7fffffff));
    if (!info[1].IsArray() || !info[2].IsArray()) ThrowType(env, "evalOneIter: dmats and names must be arrays");
    auto dmats = info[1].As<Napi::Array>();
    auto names = info[2].As<Napi::Array>();
    if (dmats.Length() != names.Length()) ThrowRange(env, "evalOneIter: one name per DMatrix");
    std::vector<DMatrixHandle> handles;
    std::vector<std::string> name_storage;
    for (uint32_t k = 0; k < dmats.Length(); k++) {
      auto* d = DMatrix::From(env, dmats.Get(k), "evalSet: sets[" + std::to_string(k) + "][0]");
      Napi::Value n = names.Get(k);
      if (!n.IsString()) ThrowType(env, "evalSet: sets[" + std::to_string(k) + "][1] must be a string");
      handles.push_back(d->Live(env, "Booster.evalSet"));
      name_storage.push_back(n.As<Napi::String>().Utf8Value());
    }
    std::vector<const char*> name_ptrs;
    for (const auto& n : name_storage) name_ptrs.push_back(n.c_str());
    const char* out = nullptr;
    Check(env,
          XGBoosterEvalOneIter(Configured(env, "Booster.evalSet"), iteration, handles.data(), name_ptrs.data(),
                               handles.size(), &out),
          "XGBoosterEvalOneIter");
    return Napi::String::New(env, out);
  }

  // predict(dmat, outputMargin: boolean, iterationBegin, iterationEnd):
  // { values: Float32Array, shape: number[] }, copied out of XGBoost's buffer (which the next
  // call on this booster reuses).
  Napi::Value Predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[1].IsBoolean()) ThrowType(env, "predict: outputMargin must be a boolean");
    bool margin = info[1].As<Napi::Boolean>().Value();
    return RunPredict(info, "predict", margin ? kPredictMargin : kPredictValue, false);
  }

  // predictContributions(dmat, iterationBegin, iterationEnd): TreeSHAP, exact; shape
  // [rows, groups, features + 1] (strict), the last column of each group the bias, so that each
  // row's group sums to its margin.
  Napi::Value PredictContributions(const Napi::CallbackInfo& info) {
    return RunPredict(info, "predictContributions", kPredictContributions, true, 0);
  }

  // XGBoosterPredictFromDMatrix's "type" values used here (c_api.h, 1.7).
  static constexpr int kPredictValue = 0;
  static constexpr int kPredictMargin = 1;
  static constexpr int kPredictContributions = 2;

  // The shared body of the predict methods: info[0] the DMatrix, info[first + 1] and
  // info[first + 2] the iteration range (first is the index before them).
  Napi::Value RunPredict(const Napi::CallbackInfo& info, const std::string& what, int type, bool strict,
                         int first = 1) {
    Napi::Env env = info.Env();
    std::string method = "Booster." + what;
    DMatrixHandle dmat = DMatrix::From(env, info[0], what + ": dmatrix")->Live(env, method.c_str());
    uint64_t begin = CountArg(info, first + 1, (what + ": iteration begin").c_str(), 0x7fffffff);
    uint64_t end = CountArg(info, first + 2, (what + ": iteration end").c_str(), 0x7fffffff);
    BoosterHandle booster = Configured(env, method.c_str());
    // XGBoost 1.7 accepts fewer columns than the model has features and treats the absent ones
    // as missing: almost always a caller's mistake, so it is refused here.
    bst_ulong features = 0, cols = 0;
    Check(env, XGBoosterGetNumFeature(booster, &features), "XGBoosterGetNumFeature");
    Check(env, XGDMatrixNumCol(dmat, &cols), "XGDMatrixNumCol");
    if (features > 0 && cols != features)
      ThrowRange(env, what + ": the DMatrix has " + std::to_string(cols) + " columns, the model " +
                          std::to_string(features) + " features");
    std::string config = "{\"type\": " + std::to_string(type) +
                         ", \"training\": false, \"iteration_begin\": " + std::to_string(begin) +
                         ", \"iteration_end\": " + std::to_string(end) +
                         ", \"strict_shape\": " + (strict ? "true" : "false") + "}";
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* values = nullptr;
    Check(env,
          XGBoosterPredictFromDMatrix(booster, dmat, config.c_str(), &shape, &dim, &values),
          "XGBoosterPredictFromDMatrix");
    size_t n = 1;
    auto shape_out = Napi::Array::New(env, dim);
    for (bst_ulong k = 0; k < dim; k++) {
      n *= shape[k];
      shape_out.Set(static_cast<uint32_t>(k), Napi::Number::New(env, static_cast<double>(shape[k])));
    }
    auto values_out = Napi::Float32Array::New(env, n);
    if (n > 0) std::copy(values, values + n, values_out.Data());
    auto out = Napi::Object::New(env);
    out.Set("values", values_out);
    out.Set("shape", shape_out);
    return out;
  }

  Napi::Value BoostedRounds(const Napi::CallbackInfo& info) {
    int rounds = 0;
    Check(info.Env(), XGBoosterBoostedRounds(Live(info.Env(), "Booster.numBoostedRounds"), &rounds),
          "XGBoosterBoostedRounds");
    return Napi::Number::New(info.Env(), rounds);
  }

  Napi::Value NumFeatures(const Napi::CallbackInfo& info) {
    bst_ulong n = 0;
    Check(info.Env(), XGBoosterGetNumFeature(Live(info.Env(), "Booster.numFeatures"), &n), "XGBoosterGetNumFeature");
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }

  // saveModel(format: "json" | "ubj"): Uint8Array, a copy of XGBoost's buffer.
  Napi::Value SaveModel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string format = StringArg(info, 0, "model format");
    if (format != "json" && format != "ubj") ThrowType(env, "model format must be \"json\" or \"ubj\"");
    std::string config = "{\"format\": \"" + format + "\"}";
    bst_ulong len = 0;
    const char* bytes = nullptr;
    Check(env, XGBoosterSaveModelToBuffer(Configured(env, "Booster.saveModel"), config.c_str(), &len, &bytes),
          "XGBoosterSaveModelToBuffer");
    auto out = Napi::Uint8Array::New(env, len);
    if (len > 0) std::copy(bytes, bytes + len, reinterpret_cast<char*>(out.Data()));
    return out;
  }

  // loadModel(bytes: Uint8Array): replaces this booster's model (JSON, UBJSON or the old binary).
  Napi::Value LoadModel(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      ThrowType(env, "loadModel: bytes must be a Uint8Array");
    auto bytes = info[0].As<Napi::Uint8Array>();
    Check(env, XGBoosterLoadModelFromBuffer(Live(env, "Booster.loadModel"), bytes.Data(), bytes.ByteLength()),
          "XGBoosterLoadModelFromBuffer");
    dirty_ = true;
    return env.Undefined();
  }

  // saveConfig(): the booster's full configuration as XGBoost's JSON (after configuring it).
  Napi::Value SaveConfig(const Napi::CallbackInfo& info) {
    bst_ulong len = 0;
    const char* out = nullptr;
    Check(info.Env(), XGBoosterSaveJsonConfig(Configured(info.Env(), "Booster.saveConfig"), &len, &out),
          "XGBoosterSaveJsonConfig");
    return Napi::String::New(info.Env(), out, len);
  }

  // setAttr(key: string, value: string | null): null deletes the attribute.
  Napi::Value SetAttr(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string key = StringArg(info, 0, "attribute key");
    if (info[1].IsNull()) {
      Check(env, XGBoosterSetAttr(Live(env, "Booster.setAttr"), key.c_str(), nullptr), "XGBoosterSetAttr");
    } else {
      std::string value = StringArg(info, 1, "attribute value");
      Check(env, XGBoosterSetAttr(Live(env, "Booster.setAttr"), key.c_str(), value.c_str()), "XGBoosterSetAttr");
    }
    return env.Undefined();
  }

  // getAttr(key: string): string | undefined.
  Napi::Value GetAttr(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string key = StringArg(info, 0, "attribute key");
    const char* out = nullptr;
    int found = 0;
    Check(env, XGBoosterGetAttr(Live(env, "Booster.getAttr"), key.c_str(), &out, &found), "XGBoosterGetAttr");
    if (!found) return env.Undefined();
    return Napi::String::New(env, out);
  }

  Napi::Value AttrNames(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bst_ulong len = 0;
    const char** names = nullptr;
    Check(env, XGBoosterGetAttrNames(Live(env, "Booster.attrNames"), &len, &names), "XGBoosterGetAttrNames");
    auto out = Napi::Array::New(env, len);
    for (bst_ulong k = 0; k < len; k++) out.Set(static_cast<uint32_t>(k), Napi::String::New(env, names[k]));
    return out;
  }

  // Frees the handle once; XGBoosterFree only fails for a null handle, which this never passes.
  void Free() {
    if (!handle_) return;
    XGBoosterFree(handle_);
    handle_ = nullptr;
    live_boosters--;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Free();
    return info.Env().Undefined();
  }

  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !handle_); }

  BoosterHandle handle_ = nullptr;
  bool dirty_ = true;   // parameters or model changed since the last configure step
  std::string broken_;  // why the configure step failed, once it has
};

}  // namespace

Napi::Function DefineBooster(Napi::Env env) { return Booster::Define(env); }

}  // namespace xgbn
