// load_model and Model: predict from arrays or files, export to the release's state dict.
#include <pybind11/stl.h>

#include <filesystem>
#include <mutex>

#include "data/performance.h"
#include "data/windowing.h"
#include "io/input_error.h"
#include "model/checkpoint.h"
#include "model/device.h"
#include "model/state_dict.h"
#include "predict/ensemble.h"
#include "predict/predictor.h"
#include "predict/window_familiarity.h"
#include "python/bindings.h"
#include "python/numpy_tensor.h"

namespace pianokpm::python {

namespace {

class Model {
 public:
  Model(const std::string& path, const std::optional<std::string>& config, const std::string& device)
      : path_(path), device_(parse_device(device, "device")) {
    if (is_ensemble_file(path)) {
      if (config) throw InputError(path, "an ensemble's members carry their own configs: drop config");
      ensemble_ = load_ensemble(path);
      for (auto& m : ensemble_->members) m.net->to(device_);
      return;
    }
    std::optional<ModelConfig> c;
    if (config) c = ModelConfig::from_json(nlohmann::json::parse(*config));
    loaded_ = load_model(path, c);
    loaded_.net->to(device_);
    loaded_.net->eval();
  }

  py::object predict(const py::object& pose_top, const py::object& pose_right, const py::object& keys, int64_t batch_windows,
                     const std::optional<double>& interval) {
    if (interval) {
      if (!ensemble_) throw InputError("interval", "needs an ensemble (load_model of a file made by pianokpm ensemble)");
      ensemble_->calibration.require_level(*interval, "interval");
    }
    const ModelConfig& c = config();
    PerformancePaths paths = pose_paths(pose_top, pose_right);
    if (!keys.is_none()) {
      if (!uses_keys(c.modality)) throw InputError("keys", "this pose model reads no keystrokes");
      if (is_path_like(keys)) {
        paths.keys = path_string(keys);
      } else {
        paths.keys = "keys";
        paths.keys_array = float_tensor(keys, "keys");
      }
    }
    torch::Tensor emg;
    Interval bounds;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // one forward at a time per model
      const PerformanceStreams streams = load_performance(paths, c);
      const PerformanceWindows windows(streams, c);
      PredictOptions po;
      po.device = device_;
      po.batch_windows = batch_windows;
      if (ensemble_) {
        const EnsemblePrediction p = predict_ensemble(*ensemble_, windows, po);
        emg = p.mean;
        if (interval) bounds = prediction_interval(p, ensemble_->calibration, *interval);
      } else {
        emg = predict_performance(loaded_.net, windows, po);
      }
    }
    if (interval) return py::make_tuple(to_numpy(emg), to_numpy(bounds.lower), to_numpy(bounds.upper));
    return to_numpy(emg);
  }

  py::object familiarity(const py::object& pose_top, const py::object& pose_right) {
    const ModelConfig& c = config();
    PerformancePaths paths = pose_paths(pose_top, pose_right);
    if (!uses_pose(c.modality)) throw InputError("pose_top", "this keys-only model reads no pose");
    std::optional<WindowFamiliarity> f;
    {
      py::gil_scoped_release release;
      StreamLayout pose_only = c.layout();
      pose_only.modality = Modality::kPoseOnly;  // the keys play no part in familiarity
      f = window_familiarity(c, load_performance(paths, pose_only).pose);
    }
    if (!f) return py::none();
    return to_numpy(f->score.to(torch::kFloat));
  }

  std::string export_release(const py::object& path) {
    const std::string out = path_string(path);
    const std::string ext = std::filesystem::path(out).extension().string();
    if (ext != ".pth" && ext != ".pt") throw InputError(out, "output must end in .pth or .pt");
    if (ensemble_) throw InputError(path_, "is an ensemble; export its members one by one");
    const std::string refusal = release_export_refusal(config());
    if (!refusal.empty()) throw InputError(path_, refusal);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return export_release_model(loaded_.net, out).config_path;
  }

  const ModelConfig& config() const { return ensemble_ ? ensemble_->config() : loaded_.net->config(); }
  const std::string& path() const { return path_; }
  bool synthetic() const { return config().provenance.synthetic_data; }
  std::string format() const { return ensemble_ ? "ensemble" : loaded_.format; }
  int64_t members() const { return ensemble_ ? static_cast<int64_t>(ensemble_->members.size()) : 1; }
  std::string device() const { return device_.str(); }

 private:
  // The pose views given as paths or arrays, checked against the model.
  PerformancePaths pose_paths(const py::object& pose_top, const py::object& pose_right) const {
    const ModelConfig& c = config();
    PerformancePaths paths;
    paths.pose_views_option = "pose_top/pose_right";
    paths.keys_option = "keys";
    auto add_view = [&](const py::object& view, const char* name) {
      if (view.is_none()) return;
      if (!uses_pose(c.modality)) throw InputError(name, "this keys-only model reads no pose");
      if (is_path_like(view)) {
        paths.pose_views.push_back(path_string(view));
        paths.pose_view_arrays.emplace_back();
      } else {
        paths.pose_views.push_back(name);
        paths.pose_view_arrays.push_back(float_tensor(view, name));
      }
    };
    add_view(pose_top, "pose_top");
    add_view(pose_right, "pose_right");
    if (uses_pose(c.modality) && pose_top.is_none()) throw InputError("pose_top", "this model needs the top view");
    return paths;
  }

  std::string path_;
  torch::Device device_;
  LoadedModel loaded_;                // one model
  std::optional<Ensemble> ensemble_;  // or an ensemble file's members and calibration
  std::mutex mutex_;
};

}  // namespace

void bind_model(py::module_& m) {
  py::class_<Model>(m, "Model", R"(A loaded PianoKPM Net (or baseline) model. Made by load_model().)")
      .def("predict", &Model::predict, py::arg("pose_top") = py::none(), py::arg("pose_right") = py::none(),
           py::arg("keys") = py::none(), py::arg("batch_windows") = 64, py::arg("interval") = py::none(),
           R"(Estimate the EMG envelopes of one whole performance.

pose_top, pose_right: keypoints [T, 21, C>=2] (x, y used) at 60 frames per second, in the units the
    model was trained on (see config["pose_scale"]), or the path of a keypoint file (.pkl, .npy,
    .csv, .json). pose_right only for two-view models.
keys: key depth [N, 88] in 0..1 at 1024 samples per second, or the path of a key-depth file or a
    MIDI file (.mid, .midi). Only for models that read keystrokes.
Returns float32 [N, 6]: one row per 1/1024 s (N = the key samples, or T * 1024 / 60 without keys),
columns ADM, PB, 1DI, 2DI, 3DI, 4DI (muscles). For an ensemble, the members' mean; with
interval=L (0.5..0.99, a calibrated ensemble only) returns (emg, lower, upper), three such arrays,
the bounds holding about a share L of the measured samples on recordings like the calibration
ones. The GIL is released while it computes.
Raises InputError (a ValueError) for wrong shapes, NaN, missing or unreadable files.)")
      .def("familiarity", &Model::familiarity, py::arg("pose_top"), py::arg("pose_right") = py::none(),
           R"(How familiar each 1-s window of the pose is to the model, as predict reads it.

Returns float32 [W]: per window, the share of the model's training windows that were at least as
unusual (about uniform on 0..1 for inputs like the training data; below 0.01 the keypoints look like
nothing the model was trained on: another kind of camera view, a lost or frozen track, not a hand).
None for a model trained before models carried a reference of their training inputs.)")
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
          "pose_rate_hz", [](const Model& self) { return self.config().pose_rate_hz; },
          "Pose frames per second (frames per 1-s window).")
      .def_property_readonly(
          "emg_rate_hz", [](const Model& self) { return self.config().emg_rate_hz; },
          "Key and EMG samples per second (samples per 1-s window).")
      .def_property_readonly(
          "config", [](const Model& self) { return json_to_python(self.config().to_json()); },
          "Every hyperparameter, as the JSON stored in our checkpoints.")
      .def_property_readonly("synthetic", &Model::synthetic,
                             "Whether it was trained on synthetic data: one of the shipped models, or exported from one.")
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
(.pth; `config` is then the model config as a dict, default the released pose+keys
configuration) or an ensemble file (.json, from `pianokpm ensemble`; predict(interval=0.9) then
adds bounds). device: "cpu" or "cuda".)");
  m.def(
      "muscles", [] { return muscle_names(); }, "The six muscles, in the column order of every EMG array.");
}

}  // namespace pianokpm::python
