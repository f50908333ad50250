#pragma once
// One self-contained HTML page (no server, no network: uPlot, its styles, the data and an overlay
// video are all inlined) that a reader who never saw this code can follow: what "activation" means,
// the muscles named in words, interactive traces (drag to zoom, buttons to pan, values on hover),
// keystrokes, the analysis tables (analysis/emg_analysis.h) and, for an evaluation, measured
// against estimated EMG with the metrics. Tables are plain HTML, so they read without scripts.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "core/stream_layout.h"

namespace pianokpm {

// How familiar the estimate's input was to the model, per window (predict/window_familiarity.h).
struct ReportFamiliarity {
  std::vector<double> score;  // one per window, 0..1
  double window_seconds = kReleaseLayout.window_seconds;
  double unfamiliar_below = 0.01;
  bool warn = false;        // the page then opens with a warning
  std::string summary;      // one line
  std::string explanation;  // what the score means
  // What a score near 0 means for the estimates (predict/window_familiarity.h: unfamiliar_consequence).
  std::string consequence = "its estimates there are not to be trusted";
};

struct ReportPerformance {
  std::string name;
  torch::Tensor estimated;                       // [N, 6] or undefined
  torch::Tensor measured;                        // [N, 6] or undefined
  torch::Tensor keys;                            // [N, 88] key depth or undefined (keystrokes are marked)
  nlohmann::json metrics;                        // e.g. {"rmse": .., "otd": .., "pearson_mean": ..}; null: none
  nlohmann::json analysis;                       // analysis_to_json(...); null: none
  torch::Tensor lower, upper;                    // [N, 6] interval around the estimate (a shaded band), or undefined
  std::optional<ReportFamiliarity> familiarity;  // none: the model gave no scores
};

struct ReportContent {
  std::string title;
  std::string provenance;                       // where the EMG came from (model, inputs), one paragraph
  bool synthetic_model = false;                 // the estimates come from a model trained on synthetic data
  double rate_hz = kReleaseLayout.emg_rate_hz;  // rows per second of every EMG and key array
  std::vector<ReportPerformance> performances;
  nlohmann::json summary;  // eval: the mean metrics; null otherwise
  std::string video_path;  // overlay video to inline; empty: none
};

struct ReportOptions {
  double display_rate_hz = 100;               // traces are averaged to this rate for the page
  double press_threshold = 0.5;               // key depth counted as a keystroke
  int64_t max_inline_video_bytes = 64 << 20;  // a larger video is linked by its file name instead

  void check() const;  // throws std::invalid_argument naming the bad field
};

// The page as a string, and the same written atomically (InputError naming a file that cannot be
// read or written).
std::string html_report(const ReportContent& content, const ReportOptions& options);
void write_html_report(const ReportContent& content, const ReportOptions& options, const std::string& out_path);

// Tells whether this build inlines uPlot (from web/node_modules at configure time).
bool html_report_available();

}  // namespace pianokpm
