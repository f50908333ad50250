// Safe readers (restricted pickle, npy, EDF/BDF and other biosignals, MIDI) and the EMG envelope.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "core/stream_layout.h"
#include "data/midi_keystrokes.h"
#include "io/array_file.h"
#include "io/midi_reader.h"
#include "io/signal_recording.h"
#include "signal/emg_pipeline.h"
#include "python/bindings.h"
#include "python/numpy_tensor.h"

namespace pianokpm::python {

namespace {

py::array read_array_file(const py::object& path) {
  const std::string p = path_string(path);
  torch::Tensor t;
  {
    py::gil_scoped_release release;
    t = read_array(p);
  }
  return to_numpy(t);
}

void write_array_file(const py::object& path, const py::object& array, const std::vector<std::string>& columns) {
  const std::string p = path_string(path);
  const torch::Tensor t = float_tensor(array, "array");
  py::gil_scoped_release release;
  write_array(p, t, columns);
}

py::dict read_signals_file(const py::object& path, double rate_hz, const std::vector<std::string>& channels) {
  SignalReadOptions o;
  o.rate_hz = rate_hz;
  o.channels = channels;
  o.rate_option = "rate_hz";
  const std::string p = path_string(path);
  SignalRecording r;
  {
    py::gil_scoped_release release;
    r = read_signals(p, o);
  }
  py::list labels, units, rates, samples;
  for (const auto& c : r.channels) {
    labels.append(c.label);
    units.append(c.unit);
    rates.append(c.rate_hz);
    samples.append(to_numpy(torch::tensor(c.samples, torch::kDouble)));
  }
  py::dict d;
  d["labels"] = labels;
  d["units"] = units;
  d["rates_hz"] = rates;
  d["samples"] = samples;
  return d;
}

py::array envelope(const py::object& raw, double rate_hz, double band_low_hz, double band_high_hz, double notch_hz,
                   double lowpass_hz, double output_rate_hz, const std::string& normalisation, double percentile,
                   const std::vector<double>& mvc, bool clip) {
  torch::Tensor x = float_tensor(raw, "raw").to(torch::kDouble);
  if (x.dim() == 1) x = x.unsqueeze(1);
  if (x.dim() != 2 || x.size(0) == 0) throw py::value_error("raw: expected samples [N] or [N, channels]");
  SignalRecording r;
  r.source = "raw";
  x = x.contiguous();
  for (int64_t c = 0; c < x.size(1); ++c) {
    const torch::Tensor col = x.select(1, c).contiguous();
    r.channels.push_back(
        {std::to_string(c), "", rate_hz, std::vector<double>(col.data_ptr<double>(), col.data_ptr<double>() + col.numel())});
  }
  EmgEnvelopeOptions e;
  e.band_low_hz = band_low_hz;
  e.band_high_hz = band_high_hz;
  e.notch_hz = notch_hz;
  e.lowpass_hz = lowpass_hz;
  e.output_rate_hz = output_rate_hz;
  EnvelopeNormalisation n;
  n.kind = parse_normalisation(normalisation);
  n.percentile = percentile;
  n.mvc = mvc;
  n.clip_to_unit = clip;
  ProcessedEmg p;
  {
    py::gil_scoped_release release;
    p = process_emg(r, e, n);
  }
  return to_numpy(p.envelope);
}

py::array midi_keys(const py::object& path, double duration_s, double rate_hz) {
  const std::string p = path_string(path);
  torch::Tensor t;
  {
    py::gil_scoped_release release;
    MidiKeystrokeOptions o;
    o.duration_s = duration_s;
    o.rate_hz = rate_hz;
    t = midi_to_key_depth(read_midi(p), o);
  }
  return to_numpy(t);
}

}  // namespace

void bind_io_signal(py::module_& m) {
  m.def("read_array", &read_array_file, py::arg("path"),
        R"(Read a numeric array from a numpy pickle (.pkl, the release's files; a restricted reader that
never runs code from the file) or .npy. float32, float64, int32, int64 and bool arrays keep their
dtype; other dtypes come back as float32. The shape is kept.)");
  m.def("write_array", &write_array_file, py::arg("path"), py::arg("array"), py::arg("columns") = std::vector<std::string>{},
        R"(Write a 1-D or 2-D array as .npy, .pkl (numpy pickle) or .csv (with `columns` as header),
atomically: the file appears complete or not at all. Values are written as float32.)");
  m.def("read_signals", &read_signals_file, py::arg("path"), py::arg("rate_hz") = 0.0,
        py::arg("channels") = std::vector<std::string>{},
        R"(Read a biosignal recording: EDF/EDF+/BDF (through libbiosig, when this build has it), a C3D file's
analog channels, CSV with a header, .npy or .pkl ([N] or [N, channels]; give rate_hz for those). channels: labels or
numbers (the first channel is 1) to keep, in order. Returns a dict: labels, units, rates_hz and samples (one
float64 array per channel, each at its own rate).)");
  m.def("have_biosig", &have_biosig, "Whether this build reads EDF/BDF.");
  m.def("emg_envelope", &envelope, py::arg("raw"), py::arg("rate_hz"), py::kw_only(), py::arg("band_low_hz") = 20.0,
        py::arg("band_high_hz") = 450.0, py::arg("notch_hz") = 0.0, py::arg("lowpass_hz") = 10.0,
        py::arg("output_rate_hz") = kReleaseLayout.emg_rate_hz, py::arg("normalisation") = "max", py::arg("percentile") = 99.0,
        py::arg("mvc") = std::vector<double>{}, py::arg("clip") = true,
        R"(Raw surface EMG [N] or [N, channels] at rate_hz to the envelope the model predicts, as
`pianokpm emg` computes it: DC removal, zero-phase Butterworth band-pass, optional mains notch,
full-wave rectification, zero-phase low-pass, resampling to output_rate_hz, then normalisation
per channel ("none", "max", "percentile" or "mvc" with one reference per channel). Returns
float32 [M, channels], M = floor(duration * output_rate_hz).)");
  const std::string midi_doc = fmt::format(
      R"(A standard MIDI file as the key depth the model reads: float32 [round(duration * rate), {}]
in 0..1 (keys A0..C8). duration_s 0: up to the file's last event and release.)",
      kReleaseLayout.num_keys);
  m.def("midi_to_key_depth", &midi_keys, py::arg("path"), py::arg("duration_s") = 0.0,
        py::arg("rate_hz") = kReleaseLayout.emg_rate_hz, midi_doc.c_str());
}

}  // namespace pianokpm::python
