#pragma once
// Option handling shared by the commands.
#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "predict/estimator.h"
#include "predict/performance_inputs.h"
#ifdef PIANOKPM_HAVE_OPENCV
#include "pose/video_pose.h"
#endif

namespace pianokpm {

// OpenMP may see fewer cores than the machine has (it reported 1 of 2 here): 0 means all cores,
// or OMP_NUM_THREADS when it is set.
void apply_thread_count(int threads);

// The command line this process was started with ("pianokpm train --data ..."), for the records
// models keep of how they were made (ModelConfig::provenance). main() sets it first.
void set_command_line(int argc, const char* const* argv);
const std::string& command_line();

// The --emg option's help: EMG envelopes as predict writes them.
std::string emg_file_help();

// For options in seconds that may also be written as a fraction (--hop 1/30): turns "A/B" into
// its decimal before CLI11 reads the number; anything else is left to CLI11.
CLI::Validator seconds_or_fraction();

// A command's --model (one model, or an ensemble file) with its --config (for official state
// dicts), on `device`; says so when a state dict is read with the config found beside it.
Estimator load_estimator(const std::string& model_path, const std::string& config_path = "",
                         const torch::Device& device = torch::kCPU);

// While `inputs` are read: a progress bar per tracked video on a terminal, and a line saying how
// many of its frames show the hand.
void report_video_tracking(PerformanceInputs& inputs);

#ifdef PIANOKPM_HAVE_OPENCV
// pose::extract_pose with a progress bar (frames, rate, time left) on a terminal.
pose::VideoPose extract_pose_with_progress(const std::string& video, const pose::VideoPoseOptions& options);
#endif

}  // namespace pianokpm
