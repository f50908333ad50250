// The `pianokpm` Python module: numpy in, numpy out; the GIL released while C++ computes.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <cstdlib>

#include "core/install_paths.h"
#include "core/input_error.h"
#include "core/cpu_cores.h"
#include "core/stream_layout.h"
#include "python/bindings.h"

PYBIND11_MODULE(pianokpm, m) {
  namespace py = pybind11;
  const pianokpm::StreamLayout& layout = pianokpm::kReleaseLayout;
  m.doc() = fmt::format(
      R"(pianokpm: hand pose and keystrokes to the EMG envelopes of six hand muscles (PianoKPM Net in C++).

Arrays are numpy: keypoints [T, {}, C] at {:g} fps, key depth [N, {}] at {:g} Hz, EMG [N, {}] at
{:g} Hz with columns {}. Bad input raises pianokpm.InputError (a
ValueError) with the message the command line prints. See docs/python.md.)",
      layout.num_keypoints, layout.pose_rate_hz, layout.num_keys, layout.emg_rate_hz, layout.emg_channels, layout.emg_rate_hz,
      fmt::join(pianokpm::muscle_names(), ", "));
  m.attr("__version__") = PIANOKPM_VERSION;
  // A ValueError subclass, so `except ValueError` catches it too.
  py::register_exception<pianokpm::InputError>(m, "InputError", PyExc_ValueError);
  pianokpm::python::bind_model(m);
  pianokpm::python::bind_io_signal(m);
  pianokpm::python::bind_synth_eval(m);
#ifdef PIANOKPM_HAVE_OPENCV
  pianokpm::python::bind_pose(m);
  m.attr("have_video") = true;
#else
  m.attr("have_video") = false;
#endif
  // As the command line: the cores this process may use (OpenMP may report fewer), unless
  // OMP_NUM_THREADS says otherwise. The setting is libtorch's, so PyTorch in the same process
  // shares it.
  if (!std::getenv("OMP_NUM_THREADS") && pianokpm::usable_cores() > torch::get_num_threads())
    torch::set_num_threads(pianokpm::usable_cores());
  m.def(
      "set_threads", [](int n) { torch::set_num_threads(n); }, py::arg("n"),
      "CPU threads libtorch uses (in this process, PyTorch's too). Default: all cores.");
  m.def(
      "get_threads", [] { return torch::get_num_threads(); }, "CPU threads libtorch uses.");
  m.def(
      "data_dirs",
      [] {
        py::dict dirs;
        dirs["models"] = pianokpm::shipped_models_dir();
        dirs["mediapipe"] = pianokpm::mediapipe_models_dir();
        return dirs;
      },
      "Where this module finds the shipped models and MediaPipe's (installed beside it, or its source tree).");
}
