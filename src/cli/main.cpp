// pianokpm: muscle activity (EMG envelopes of six hand muscles) from hand pose and keystrokes.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "core/input_error.h"

int main(int argc, char** argv) {
  CLI::App app{"pianokpm: hand pose and keystrokes to the EMG of six hand muscles (PianoKPM Net in C++)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(PIANOKPM_VERSION));
  spdlog::set_pattern("%^[%l]%$ %v");
  pianokpm::set_command_line(argc, argv);

  std::map<std::string, pianokpm::CommandRunner> runners = {
      {"predict", pianokpm::add_predict_command(app)},   {"synth", pianokpm::add_synth_command(app)},
      {"train", pianokpm::add_train_command(app)},       {"adapt", pianokpm::add_adapt_command(app)},
      {"ensemble", pianokpm::add_ensemble_command(app)}, {"eval", pianokpm::add_eval_command(app)},
      {"emg", pianokpm::add_emg_command(app)},           {"convert", pianokpm::add_convert_command(app)},
      {"bench", pianokpm::add_bench_command(app)},       {"average", pianokpm::add_average_command(app)},
      {"analyze", pianokpm::add_analyze_command(app)},   {"report", pianokpm::add_report_command(app)},
      {"export", pianokpm::add_export_command(app)},     {"familiarity", pianokpm::add_familiarity_command(app)},
      {"batch", pianokpm::add_batch_command(app)},
#ifdef PIANOKPM_HAVE_OPENCV
      {"pose", pianokpm::add_pose_command(app)},         {"render", pianokpm::add_render_command(app)},
#endif
#ifdef PIANOKPM_HAVE_REMOTE
      {"serve", pianokpm::add_serve_command(app)},
#endif
#ifdef PIANOKPM_HAVE_LIVE
      {"live", pianokpm::add_live_command(app)},
#endif
#ifdef PIANOKPM_HAVE_CAIRO
      {"plot", pianokpm::add_plot_command(app)},
#endif
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  try {
    for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
  } catch (const pianokpm::InputError& e) {
    fmt::print(stderr, "pianokpm: error: {}\n", e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "pianokpm: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "pianokpm: internal error: {}\n", e.what());
    return 1;
  }
  return 0;
}
