// load_model and Model: predict from arrays or files, export to the release's state dict. A Model
// is an Estimator (predict/estimator.h), loaded and run as the command line loads and runs it.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pybind11/stl.h>

#include <mutex>

#include "core/install_paths.h"
#include "core/input_error.h"
#include "core/device.h"
#include "core/stream_layout.h"
#include "model/model_registry.h"
#include "predict/estimator.h"
#include "predict/performance_inputs.h"
#include "python/bindings.h"
#include "python/numpy_tensor.h"

namespace pianokpm::python {

namespace {

// Named in errors as the Python arguments are.
EstimatorOptions estimator_options(const std::optional<std::string>& config, const std::string& device) {
  EstimatorOptions o;
  o.device = parse_device(device, "device");
  if (config) o.config = ModelConfig::from_json(nlohmann::json::parse(*config));
  o.config_option = "config";
  return o;
}

// A view or the keys as given: a path, or an array (numpy, lists); None leaves it out.
void set_input(const py::object& given, const char* name, std::string& path, torch::Tensor& array) {
  if (given.is_none()) return;
  if (is_path_like(given)) {
    path = path_string(given);
  } else {
    array = float_tensor(given, name);
  }
}

class Model {
 public:
  Model(const std::string& path, const std::optional<std::string>& config, const std::string& device)
      : est_(Estimator::load(path, estimator_options(config, device))) {}

  py::object predict(const py::object& pose_top, const py::object& pose_right, const py::object& keys, int64_t batch_windows,
                     const std::optional<double>& interval) {
    if (interval) {
      if (!est_.is_ensemble()) throw InputError("interval", "needs an ensemble (load_model of a file made by pianokpm ensemble)");
      est_.require_interval(*interval, "interval");
    }
    const PerformanceInputs in = inputs(pose_top, pose_right, keys);
    Estimate e;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // one forward at a time per model
      EstimateOptions options;
      options.batch_windows = batch_windows;
      options.interval = interval.value_or(0.0);
      e = est_.predict(read_performance_inputs(in, est_.config()).streams, options);
    }
    if (interval) return py::make_tuple(to_numpy(e.emg), to_numpy(e.interval.lower), to_numpy(e.interval.upper));
    return to_numpy(e.emg);
  }

  py::object familiarity(const py::object& pose_top, const py::object& pose_right) {
    const PerformanceInputs in = inputs(pose_top, pose_right, py::none());
    std::optional<WindowFamiliarity> f;
    {
      py::gil_scoped_release release;
      f = est_.familiarity(read_pose_stream(in, est_.config()));
    }
    if (!f) return py::none();
    return to_numpy(f->score.to(torch::kFloat));
  }

  std::string export_release(const py::object& path) {
    const std::string out = path_string(path);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return est_.export_release(out).config_path;
  }

  const ModelConfig& config() const { return est_.config(); }
  const std::string& path() const { return est_.path(); }
  bool synthetic() const { return est_.synthetic(); }
  std::string format() const { return est_.format(); }
  int64_t members() const { return est_.members(); }
  std::string device() const { return est_.device().str(); }

 private:
  // The arguments as inputs: paths or arrays, named as the arguments are, and nothing the model
  // does not read (strict: a stream it ignores would be a mistake the caller should hear of).
  PerformanceInputs inputs(const py::object& pose_top, const py::object& pose_right, const py::object& keys) const {
    PerformanceInputs in;
    in.pose_top_option = "pose_top";
    in.pose_right_option = "pose_right";
    in.keys_option = "keys";
    in.hand_setting = "hand=\"{}\"";
    in.mediapipe_dir = mediapipe_models_dir();
    in.strict = true;
    set_input(pose_top, "pose_top", in.pose_top, in.pose_top_array);
    set_input(pose_right, "pose_right", in.pose_right, in.pose_right_array);
    set_input(keys, "keys", in.keys, in.keys_array);
    return in;
  }

  Estimator est_;
  std::mutex mutex_;
};

}  // namespace

void bind_model(py::module_& m) {
  // Docstrings in the release's layout (pybind11 copies them).
  const StreamLayout& layout = kReleaseLayout;
  const std::string predict_doc = fmt::format(
      R"(Estimate the EMG envelopes of one whole performance.

pose_top, pose_right: keypoints [T, {keypoints}, C>=2] (x, y used) at {pose_rate:g} frames per second, in the units the
    model was trained on (see config["pose_scale"]), or the path of a keypoint file (.pkl, .npy,
    .csv, .json). pose_right only for two-view models.
keys: key depth [N, {keys}] in 0..1 at {emg_rate:g} samples per second, or the path of a key-depth file or a
    MIDI file (.mid, .midi). Only for models that read keystrokes.
Returns float32 [N, {channels}]: one row per 1/{emg_rate:g} s (N = the key samples, or T * {emg_rate:g} / {pose_rate:g} without keys),
columns {muscles} (muscles). For an ensemble, the members' mean; with
interval=L (0.5..0.99, a calibrated ensemble only) returns (emg, lower, upper), three such arrays,
the bounds holding about a share L of the measured samples on recordings like the calibration
ones. The GIL is released while it computes.
Raises InputError (a ValueError) for wrong shapes, NaN, missing or unreadable files.)",
      fmt::arg("keypoints", layout.num_keypoints), fmt::arg("pose_rate", layout.pose_rate_hz), fmt::arg("keys", layout.num_keys),
      fmt::arg("emg_rate", layout.emg_rate_hz), fmt::arg("channels", layout.emg_channels),
      fmt::arg("muscles", fmt::join(muscle_names(), ", ")));
  const std::string familiarity_doc = fmt::format(
      R"(How familiar each {:g}-s window of the pose is to the model, as predict reads it.

Returns float32 [W]: per window, the share of the model's training windows that were at least as
unusual (about uniform on 0..1 for inputs like the training data; below 0.01 the keypoints look like
nothing the model was trained on: another kind of camera view, a lost or frozen track, not a hand).
None for a model trained before models carried a reference of their training inputs.)",
      layout.window_seconds);
  py::class_<Model>(m, "Model", R"(A loaded PianoKPM Net (or baseline) model. Made by load_model().)")
      .def("predict", &Model::predict, py::arg("pose_top") = py::none(), py::arg("pose_right") = py::none(),
           py::arg("keys") = py::none(), py::arg("batch_windows") = 64, py::arg("interval") = py::none(), predict_doc.c_str())
      .def("familiarity", &Model::familiarity, py::arg("pose_top"), py::arg("pose_right") = py::none(), familiarity_doc.c_str())
      .def("export", &Model::export_release, py::arg("path"),
           R"(Write the model as a PyTorch state dict in the release's names (load_state_dict in the
published code) at `path` (.pth), and its config JSON beside it (.json). Returns the config's path.)")
      .def_property_readonly("path", &Model::path, "The file the model was loaded from.")
      .def_property_readonly("format", &Model::format, R"("pianokpm" (our checkpoint), "pytorch-state-dict" or "ensemble".)")
      .def_property_readonly("members", &Model::members, "How many models predict together (1 unless an ensemble).")
      .def_property_readonly("device", &Model::device, "Where it runs: cpu or cuda:N.")
      .def_property_readonly(
          "modality", [](const Model& self) { return to_string(self.config().modality); }, R"("pose+keys", "pose" or "keys".)")
      .def_property_readonly(
          "views", [](const Model& self) { return uses_pose(self.config().modality) ? self.config().num_views : 0; },
          "Camera views it reads (top first); 0 for keys-only models.")
      .def_property_readonly("architecture", [](const Model& self) { return self.config().architecture; })
      .def_property_readonly(
          "pose_rate_hz", [](const Model& self) { return self.config().pose_rate_hz; }, "Pose frames per second.")
      .def_property_readonly(
          "emg_rate_hz", [](const Model& self) { return self.config().emg_rate_hz; }, "Key and EMG samples per second.")
      .def_property_readonly(
          "config", [](const Model& self) { return json_to_python(self.config().to_json()); },
          "Every hyperparameter, as the JSON stored in our checkpoints.")
      .def_property_readonly("synthetic", &Model::synthetic,
                             "Whether it (or any member of an ensemble) was trained on synthetic data, as its config says.")
      .def("__repr__", [](const Model& self) {
        return "<pianokpm.Model " + self.config().architecture + " " + to_string(self.config().modality) + " from " +
               self.path() + ">";
      });

  m.def(
      "load_model",
      [](const py::object& path, const py::object& config, const std::string& device) {
        std::optional<std::string> c;
        if (!config.is_none()) c = py::module_::import("json").attr("dumps")(config).cast<std::string>();
        return std::make_unique<Model>(path_string(path), c, device);
      },
      py::arg("path"), py::arg("config") = py::none(), py::arg("device") = "cpu",
      R"(Load a model: our checkpoint (.pt, carries its config), an official PyTorch state dict
(.pth; `config` is then the model config as a dict, default the NAME.json beside NAME.pth that
Model.export writes, else the released pose+keys configuration) or an ensemble file (.json, from
`pianokpm ensemble`; predict(interval=0.9) then adds bounds). device: "cpu" or "cuda".)");
  m.def(
      "muscles", [] { return muscle_names(); }, "The six muscles, in the column order of every EMG array.");
  m.def(
      "architectures",
      [] {
        std::vector<std::pair<std::string, std::string>> kinds;
        for (const ModelKind* kind : model_kinds()) kinds.emplace_back(kind->name, kind->summary);
        return kinds;
      },
      "Every model architecture `pianokpm train --architecture` takes, as (name, what it is) pairs, the released network first.");
}

}  // namespace pianokpm::python
