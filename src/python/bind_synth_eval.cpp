// The synthetic corpus, the evaluation metrics and the EMG analysis.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "analysis/emg_analysis.h"
#include "core/stream_layout.h"
#include "eval/metrics.h"
#include "synth/corpus.h"
#include "synth/hand_model.h"
#include "synth/keyboard.h"
#include "ot/sinkhorn.h"
#include "synth/muscle_model.h"
#include "synth/pianist.h"
#include "python/bindings.h"
#include "python/numpy_tensor.h"

namespace pianokpm::python {

namespace {

synth::SynthOptions synth_options(double seconds, uint64_t seed, int pianists, int simulator) {
  synth::SynthOptions o;
  o.seconds = seconds;
  o.seed = seed;
  o.pianists = pianists;
  o.simulator = simulator;
  o.check();
  return o;
}

py::dict synth_performance(int task, int pianist, int take, double seconds, uint64_t seed, int simulator) {
  const synth::SynthOptions o = synth_options(seconds, seed, std::max(pianist, 1), simulator);
  if (task < 1 || task > o.tasks) throw py::value_error("task: must be 1.." + std::to_string(o.tasks));
  if (pianist < 1) throw py::value_error("pianist: must be 1 or more");
  if (take < 1) throw py::value_error("take: must be 1 or more");
  synth::Performance p;
  {
    py::gil_scoped_release release;
    const synth::Pianist who = synth::Pianist::sample(pianist, o.seed);
    const auto mvc = synth::mvc_reference(who, o.raw_emg_rate_hz, o.envelope, o.seed);
    p = synth::generate_performance(o, who, mvc, task, take);
  }
  py::dict d;
  d["name"] = p.name;
  d["pose_top"] = to_numpy(p.pose_top);
  d["pose_right"] = to_numpy(p.pose_right);
  d["keys"] = to_numpy(p.keys);
  d["emg"] = to_numpy(p.emg);
  d["emg_raw"] = to_numpy(p.emg_raw);
  d["meta"] = json_to_python(p.meta);
  return d;
}

void synth_corpus(const py::object& out_dir, int pianists, int takes, double seconds, uint64_t seed, const std::string& only_set,
                  int simulator) {
  synth::SynthOptions o = synth_options(seconds, seed, pianists, simulator);
  o.takes = takes;
  o.only_set = only_set;
  o.check();
  const std::string dir = path_string(out_dir);
  py::gil_scoped_release release;
  synth::write_corpus(o, dir);
}

// Two [N, channels] arrays, checked to agree in shape (or only in channels, for point clouds).
std::pair<torch::Tensor, torch::Tensor> pair_of(const py::object& estimated, const py::object& measured, bool same_rows = true) {
  torch::Tensor e = float_tensor(estimated, "estimated"), m = float_tensor(measured, "measured");
  if (e.dim() != 2 || m.dim() != 2 || e.size(1) != m.size(1) || (same_rows && e.size(0) != m.size(0)) || !e.size(0) || !m.size(0))
    throw py::value_error(same_rows ? "estimated and measured: expected two arrays [N, channels] of the same shape"
                                    : "estimated and measured: expected two arrays [N, channels], [M, channels]");
  return {e, m};
}

}  // namespace

void bind_synth_eval(py::module_& m) {
  // Docstrings with the synthetic corpus's and the release's layout (pybind11 copies them).
  const synth::SynthOptions synth_defaults{};
  const std::string synth_performance_doc = fmt::format(
      R"(One performance of the synthetic corpus (deterministic in seed, task, pianist, take; the same
as `pianokpm synth` writes). Returns a dict: name; pose_top, pose_right float32 [T, {}, 3] (pixels
of a 1280x720 image, confidence) at {:g} fps; keys float32 [N, {}] at {:g} Hz; emg float32 [N, {}]
(envelopes, 0..1); emg_raw float32 [M, {}] (mV at {:g} Hz); meta (dict). simulator: 2 (tasks
with their own motor strategies, pianists with their own recruitment) or 1 (the earlier one).)",
      synth::kNumKeypoints, synth_defaults.pose_rate_hz, synth::kNumKeys, synth_defaults.keys_rate_hz, synth::kNumMuscles,
      synth::kNumMuscles, synth_defaults.raw_emg_rate_hz);
  const std::string rmse_doc =
      fmt::format("Root mean squared error over all samples and channels of two [N, {}] arrays (as the release).",
                  kReleaseLayout.emg_channels);
  const std::string analyze_doc = fmt::format(
      R"(Analyse six EMG envelopes [N, {}] (estimated or measured), with key depth [N, {}] when given:
per muscle level, bursts and timing, co-contraction, and with keys the activation around the
keystrokes of each octave. Returns the dict `pianokpm analyze` writes (docs/analysis.md).)",
      kReleaseLayout.emg_channels, kReleaseLayout.num_keys);

  m.def("synth_performance", &synth_performance, py::arg("task") = 1, py::arg("pianist") = 1, py::arg("take") = 1,
        py::arg("seconds") = 60.0, py::arg("seed") = 42, py::arg("simulator") = 2, synth_performance_doc.c_str());
  m.def("synth_corpus", &synth_corpus, py::arg("out_dir"), py::arg("pianists") = 20, py::arg("takes") = 3,
        py::arg("seconds") = 60.0, py::arg("seed") = 42, py::arg("only_set") = "", py::arg("simulator") = 2,
        R"(Write the synthetic corpus in the release layout under out_dir, as `pianokpm synth`.
only_set: "SPLIT:SET" (e.g. "architectural:test") writes only that set.)");

  m.def(
      "rmse",
      [](const py::object& e, const py::object& t) {
        auto [a, b] = pair_of(e, t);
        py::gil_scoped_release release;
        return rmse(a, b);
      },
      py::arg("estimated"), py::arg("measured"), rmse_doc.c_str());
  m.def(
      "otd",
      [](const py::object& e, const py::object& t, double blur, double scaling) {
        auto [a, b] = pair_of(e, t, false);
        SinkhornOptions o;
        o.blur = blur;
        o.scaling = scaling;
        o.check();
        py::gil_scoped_release release;
        return a.size(0) == b.size(0) ? optimal_transport_distance(a, b, o) : sinkhorn_divergence_blocked(a, b, o);
      },
      py::arg("estimated"), py::arg("measured"), py::arg("blur") = 0.05, py::arg("scaling") = 0.5,
      R"(Optimal transport distance: the Sinkhorn divergence between the rows of two arrays [N, C] and
[M, C] as point clouds (as the release computes it, geomloss's schedule).)");
  m.def(
      "pearson",
      [](const py::object& e, const py::object& t) {
        auto [a, b] = pair_of(e, t);
        py::gil_scoped_release release;
        return pearson_per_channel(a, b);
      },
      py::arg("estimated"), py::arg("measured"), "Pearson r per channel (NaN for a constant channel).");
  m.def(
      "burst_onsets",
      [](const py::object& series, double rate_hz, double threshold_fraction, double refractory_s) {
        const torch::Tensor s = float_tensor(series, "series");
        if (s.dim() != 1) throw py::value_error("series: expected one channel [N]");
        OnsetOptions o;
        o.rate_hz = rate_hz;
        o.threshold_fraction = threshold_fraction;
        o.refractory_s = refractory_s;
        return burst_onsets(s, o);
      },
      py::arg("series"), py::arg("rate_hz") = kReleaseLayout.emg_rate_hz, py::arg("threshold_fraction") = 0.3,
      py::arg("refractory_s") = 0.1,
      "Burst onsets (upward crossings of 5th percentile + fraction of the 5th-95th range) of one channel, in seconds.");
  m.def(
      "onset_timing",
      [](const py::object& e, const py::object& t, double rate_hz, double match_window_s) {
        auto [a, b] = pair_of(e, t);
        OnsetOptions o;
        o.rate_hz = rate_hz;
        o.match_window_s = match_window_s;
        const OnsetTiming r = onset_timing_error(a, b, o);
        py::dict d;
        d["mean_abs_error_ms"] = r.mean_abs_error_ms;
        d["matched"] = r.matched;
        d["measured"] = r.measured;
        return d;
      },
      py::arg("estimated"), py::arg("measured"), py::arg("rate_hz") = kReleaseLayout.emg_rate_hz, py::arg("match_window_s") = 0.2,
      "Mean absolute onset timing error (ms) over measured onsets matched by an estimated one within match_window_s.");

  m.def(
      "analyze",
      [](const py::object& emg, const py::object& keys, double rate_hz) {
        const torch::Tensor e = float_tensor(emg, "emg");
        torch::Tensor k;
        if (!keys.is_none()) k = float_tensor(keys, "keys");
        AnalysisOptions o;
        o.bursts.rate_hz = rate_hz;
        o.check();
        nlohmann::json j;
        {
          py::gil_scoped_release release;
          j = analysis_to_json(analyze_emg(e, k, o), o);
        }
        return json_to_python(j);
      },
      py::arg("emg"), py::arg("keys") = py::none(), py::arg("rate_hz") = kReleaseLayout.emg_rate_hz, analyze_doc.c_str());
}

}  // namespace pianokpm::python
