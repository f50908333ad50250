#pragma once
// Familiarity of a whole performance's pose to a model, one score per 1-s window
// (model/familiarity.h), and how it is written and told: a CSV beside the estimates and a
// one-line verdict for logs, reports and the live view.
#include <torch/torch.h>

#include <optional>
#include <string>

#include "core/stream_layout.h"
#include "model/familiarity.h"
#include "model/model_config.h"

namespace pianokpm {

struct WindowFamiliarity {
  torch::Tensor score;                                    // [W] float64 in 0..1; window i covers pose frames [i F, (i+1) F)
  double window_seconds = kReleaseLayout.window_seconds;  // length of a window
  double duration_s = 0;                                  // of the whole pose stream (the last window may be shorter)
  int64_t unfamiliar = 0;                                 // windows scoring below options.unfamiliar_below
  bool warn = false;                                      // more than options.warn_share of the windows are unfamiliar
  FamiliarityOptions options;

  int64_t windows() const { return score.defined() ? score.size(0) : 0; }
  // "familiar: 2 of 60 windows unfamiliar (median familiarity 0.48)" or "UNFAMILIAR INPUT: ...".
  std::string summary() const;
};

// Scores [W] float64 with their verdict by `options` (unfamiliar count, warn); window_seconds and
// duration_s are left to the caller.
WindowFamiliarity judged_familiarity(const torch::Tensor& score, const FamiliarityOptions& options = {});

// pose [T, views*keypoints*2] as the model reads it (core/stream_layout.h); nullopt when the model
// carries no familiarity reference (trained before it existed) or reads no pose. A last window of
// fewer than two frames takes the score of the one before.
std::optional<WindowFamiliarity> window_familiarity(const ModelConfig& config, const torch::Tensor& pose,
                                                    const FamiliarityOptions& options = {});

// CSV: start_s,end_s,familiarity,unfamiliar (1 when below the threshold); written atomically.
void write_familiarity_csv(const std::string& path, const WindowFamiliarity& familiarity);

// Reads what write_familiarity_csv wrote (InputError naming `path` otherwise: a missing file, another
// header, a malformed line, a score outside 0..1); the verdict is recomputed with `options`.
WindowFamiliarity read_familiarity_csv(const std::string& path, const FamiliarityOptions& options = {});
// The same from the file's text; `name` names it in errors.
WindowFamiliarity parse_familiarity_csv(const std::string& text, const std::string& name, const FamiliarityOptions& options = {});

// Where the scores of estimates written to `emg_path` go by default: DIR/NAME_familiarity.csv.
std::string familiarity_path_for(const std::string& emg_path);

// What the score means, for warnings and help texts; `fallback`: what the model gives instead where
// the input is unfamiliar (Estimator::unfamiliar_fallback; empty: nothing else).
std::string familiarity_explanation(const std::string& fallback = {});
// Its last clause: what a score near 0 means for the estimates ("its estimates there are not to be trusted", ...).
std::string unfamiliar_consequence(const std::string& fallback = {});

}  // namespace pianokpm
