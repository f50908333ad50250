#pragma once
// The command table: each command adds its CLI11 subcommand and returns the function that runs
// it once the command line is parsed. Runs return the exit code; InputErrors become exit code 2.
#include <CLI/CLI.hpp>

#include <functional>

namespace pianokpm {

using CommandRunner = std::function<int()>;

CommandRunner add_predict_command(CLI::App& app);
CommandRunner add_synth_command(CLI::App& app);
CommandRunner add_train_command(CLI::App& app);
CommandRunner add_adapt_command(CLI::App& app);
CommandRunner add_ensemble_command(CLI::App& app);
CommandRunner add_eval_command(CLI::App& app);
CommandRunner add_emg_command(CLI::App& app);
CommandRunner add_convert_command(CLI::App& app);
CommandRunner add_bench_command(CLI::App& app);
CommandRunner add_average_command(CLI::App& app);
CommandRunner add_analyze_command(CLI::App& app);
CommandRunner add_report_command(CLI::App& app);
CommandRunner add_export_command(CLI::App& app);
CommandRunner add_familiarity_command(CLI::App& app);
CommandRunner add_batch_command(CLI::App& app);
#ifdef PIANOKPM_HAVE_OPENCV
CommandRunner add_pose_command(CLI::App& app);
CommandRunner add_render_command(CLI::App& app);
#endif
#ifdef PIANOKPM_HAVE_LIVE
CommandRunner add_live_command(CLI::App& app);
CommandRunner add_serve_command(CLI::App& app);
#endif
#ifdef PIANOKPM_HAVE_CAIRO
CommandRunner add_plot_command(CLI::App& app);
#endif

}  // namespace pianokpm
