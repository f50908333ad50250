// pianokpm batch: predict (and optionally analyse) every performance of a manifest in one process,
// the model loaded once. Resumable: each output is written to a temporary name and renamed when
// complete, so a row whose outputs all exist is done and is skipped by the next run. Under mpirun
// the rows are dealt round-robin to the processes (on any hosts sharing the output folder).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <signal.h>

#include "analysis/emg_analysis.h"
#include "cli/bids_output.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "data/performance.h"
#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/bids_emg.h"
#include "core/install_paths.h"
#include "core/input_error.h"
#include "io/manifest.h"
#include "core/blas_threads.h"
#include "core/cpu_cores.h"
#include "core/device.h"
#include "core/stream_layout.h"
#include "predict/estimator.h"
#include "predict/performance_inputs.h"
#include "predict/window_familiarity.h"
#include "parallel/data_parallel.h"

namespace pianokpm {

namespace {

namespace fs = std::filesystem;

struct BatchOptions {
  std::string manifest, out_dir, model_path, config_path;
  std::string c3d_markers;     // for rows whose pose is a .c3d file
  std::string format = "csv";  // csv or npy
  bool analyze = false;        // also NAME.analysis.json
  std::string hand = "right", pose_model = "full", device = "cpu";
  int threads = 0;  // per row; 0: 1 with several jobs, else the process's share of the cores
  int jobs = 0;     // rows predicted at once in this process; 0: the process's share of the cores
  int64_t batch_windows = 64;
  BidsOutputFlags bids;  // each row a run of the task: its place in the manifest
};

// The manifest's input columns: predict's input options.
const std::vector<std::string> kInputColumns = {"pose_top", "pose_right", "video_top", "video_right", "keys", "midi"};

PerformanceInputs row_inputs(const ManifestRow& row) {
  PerformanceInputs in;
  auto cell = [&](const char* column) {
    auto it = row.inputs.find(column);
    return it == row.inputs.end() ? std::string() : it->second;
  };
  in.pose_top = cell("pose_top");
  in.pose_right = cell("pose_right");
  in.video_top = cell("video_top");
  in.video_right = cell("video_right");
  in.keys = cell("keys");
  in.midi = cell("midi");
  return in;
}

struct RowResult {
  std::string name, status, error;  // status: predicted, skipped or failed
  double seconds = 0;
  int rank = 0;
  nlohmann::json familiarity;  // median, unfamiliar windows, warning; null without scores
};

nlohmann::json to_json(const RowResult& r) {
  nlohmann::json j = {{"name", r.name}, {"status", r.status}, {"seconds", r.seconds}, {"process", r.rank}};
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.familiarity.is_null()) j["familiarity"] = r.familiarity;
  return j;
}

// A row's BIDS run index: its place among the manifest's rows (the header is line 1).
std::string bids_run_of(const ManifestRow& row) { return std::to_string(row.line - 1); }

// `familiarity`: the model gives familiarity scores, written as NAME_familiarity.csv.
std::vector<std::string> row_outputs(const BatchOptions& o, const ManifestRow& row, bool familiarity) {
  const std::string& name = row.name;
  std::vector<std::string> out;
  if (o.analyze) out.push_back((fs::path(o.out_dir) / (name + ".analysis.json")).string());
  if (familiarity) out.push_back((fs::path(o.out_dir) / (name + "_familiarity.csv")).string());
  if (o.bids.wanted()) out.push_back(bids_data_file(o.bids, bids_run_of(row), true));
  out.push_back((fs::path(o.out_dir) / (name + "." + o.format)).string());  // last: its presence means done
  return out;
}

// Leftovers of runs that were killed while writing ("<output>.tmp-<pid>" of a process that is gone),
// found by one listing of the output folder at the start.
class StaleTemporaries {
 public:
  explicit StaleTemporaries(const std::string& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      const auto mark = file.rfind(".tmp-");
      if (mark == std::string::npos) continue;
      const long pid = std::atol(file.c_str() + mark + 5);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;  // a live writer (another run)
      by_output_[file.substr(0, mark)].push_back(entry.path());
    }
  }
  void remove(const std::vector<std::string>& outputs) const {
    std::error_code ec;
    for (const std::string& output : outputs) {
      auto it = by_output_.find(fs::path(output).filename().string());
      if (it != by_output_.end())
        for (const auto& p : it->second) fs::remove(p, ec);
    }
  }

 private:
  std::map<std::string, std::vector<fs::path>> by_output_;
};

// Predicts one row and writes its outputs; returns its familiarity summary (null without scores).
// Rows run side by side on one estimator (Estimator::predict changes nothing).
nlohmann::json run_row(const BatchOptions& o, const Estimator& est, const ManifestRow& row) {
  const ModelConfig& c = est.config();
  PerformanceInputs in = row_inputs(row);  // no progress callbacks: rows are quiet
  in.c3d_markers = o.c3d_markers;
  in.hand = o.hand;
  in.pose_model = o.pose_model;
  in.device = o.device;
  in.mediapipe_dir = mediapipe_models_dir();
  const PerformanceStreams streams = read_performance_inputs(in, c).streams;
  EstimateOptions eo;
  eo.batch_windows = o.batch_windows;
  const torch::Tensor emg = est.predict(streams, eo).emg;
  const auto outputs = row_outputs(o, row, est.gives_familiarity());
  nlohmann::json familiarity_summary;
  if (const auto f = est.familiarity(streams.pose)) {
    write_familiarity_csv(outputs[o.analyze ? 1 : 0], *f);
    familiarity_summary = {{"median", f->score.median().item<double>()},
                           {"unfamiliar_windows", f->unfamiliar},
                           {"windows", f->windows()},
                           {"warning", f->warn}};
    if (f->warn) spdlog::warn("{}: {}", row.name, f->summary());
  }
  // Read once for the analysis and the BIDS events.
  const torch::Tensor keys = o.analyze || o.bids.wanted()
                                 ? given_keys(in, streams, c, static_cast<double>(emg.size(0)) / c.emg_rate_hz)
                                 : torch::Tensor();
  if (o.analyze) {
    AnalysisOptions ao;
    ao.bursts.rate_hz = c.emg_rate_hz;
    nlohmann::json j = analysis_to_json(analyze_emg(emg, keys, ao), ao);
    j["emg"]["file"] = outputs.back();
    write_file_atomically(outputs.front(), j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  if (o.bids.wanted()) {
    BidsContent content;
    content.emg = emg;
    content.rate_hz = c.emg_rate_hz;
    content.run = bids_run_of(row);
    content.keys = keys;
    content.provenance = bids_estimate_provenance(o.model_path, c, est.synthetic());
    content.provenance["EstimatedBy"]["manifest_row"] = row.name;
    if (!familiarity_summary.is_null()) content.provenance["Familiarity"] = familiarity_summary;
    write_bids_output(o.bids, content);
  }
  write_array(outputs.back(), emg, muscle_names());
  return familiarity_summary;
}

// Cores this process may use: those it may run on, shared among the processes an MPI launcher
// put on this host.
int process_cores() {
  int local = 1;
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
    if (const char* v = std::getenv(name)) local = std::max(1, std::atoi(v));
  return std::max(1, usable_cores() / local);
}

int run_batch(BatchOptions o) {
  check_bids_flags(o.bids);
  if (o.bids.wanted() && !o.bids.run.empty())
    throw InputError("--bids-run", "batch numbers each row's run itself (its place in the manifest)");
  if (o.format != "csv" && o.format != "npy") throw InputError("--format", "must be csv or npy, not '" + o.format + "'");
  const std::vector<ManifestRow> rows = read_manifest(o.manifest, kInputColumns);
  if (rows.empty()) throw InputError(o.manifest, "has a header but no rows");
  auto group = make_data_parallel();
  const torch::Device device = parse_device(o.device);
  // Rows side by side, one thread each, use the cores better than one row on all of them (the
  // decoder's many small steps do not spread well; docs/performance.md#python-and-batch).
  const int cores = process_cores();
  const int jobs = o.jobs > 0 ? o.jobs : device.is_cuda() ? 1 : std::max(1, cores / std::max(1, o.threads));
  const int threads = o.threads > 0 ? o.threads : std::max(1, cores / jobs);
  if (jobs > 1) set_blas_threads(1);  // OpenBLAS's own pool would serialise the jobs' products
  if (o.model_path.empty()) {
    o.model_path = default_model_for(row_inputs(rows.front()), shipped_models_dir());
    if (group->is_main()) spdlog::info("no --model given: using {} (chosen by the first row's inputs)", o.model_path);
  }
  // One model (or ensemble), on the device, read by every job (predicting never changes a model).
  // A process that cannot start tells the others, which would otherwise wait for it at the end for ever.
  std::optional<Estimator> est;
  std::exception_ptr setup_error;
  try {
    est = load_estimator(o.model_path, o.config_path, device);
    std::error_code ec;
    fs::create_directories(o.out_dir, ec);
    if (ec) throw InputError(o.out_dir, "cannot create the output folder: " + ec.message());
  } catch (...) {
    setup_error = std::current_exception();
  }
  std::vector<torch::Tensor> failed_setups = {torch::full({1}, setup_error ? 1.0 : 0.0, torch::kDouble)};
  group->all_reduce_sum(failed_setups);
  if (setup_error) std::rethrow_exception(setup_error);
  if (failed_setups[0].item<double>() > 0)
    throw std::runtime_error("another process of this batch could not start (see its message)");
  const ModelConfig& config = est->config();
  const StaleTemporaries stale(o.out_dir);
  if (o.bids.wanted()) write_bids_dataset_description(o.bids.root);  // once, before the rows' threads

  // Round-robin: consecutive rows (often similar lengths) go to different processes.
  std::vector<size_t> mine;
  for (size_t i = static_cast<size_t>(group->rank()); i < rows.size(); i += static_cast<size_t>(group->size())) mine.push_back(i);
  if (group->is_main())
    spdlog::info("batch: {} rows, {} process(es) x {} job(s) x {} thread(s), model {} ({})", rows.size(), group->size(), jobs,
                 threads, o.model_path, to_string(config.modality));

  const auto start = std::chrono::steady_clock::now();
  std::vector<RowResult> results(mine.size());
  ProgressBar bar("batch", "rows", static_cast<int64_t>(mine.size()));
  std::atomic<size_t> next{0};
  std::mutex progress;
  int64_t done = 0, failed = 0;
  auto work = [&] {
    torch::set_num_threads(threads);  // this thread's OpenMP team
    for (size_t k; (k = next++) < mine.size();) {
      const ManifestRow& row = rows[mine[k]];
      RowResult r{row.name, "predicted", "", 0.0, group->rank(), nullptr};
      const auto outputs = row_outputs(o, row, est->gives_familiarity());
      const auto t0 = std::chrono::steady_clock::now();
      try {  // InputError, shapes, a failed write or listing: this row only
        std::error_code ec;
        if (std::all_of(outputs.begin(), outputs.end(), [&](const std::string& p) { return fs::exists(p, ec); })) {
          r.status = "skipped";
        } else {
          stale.remove(outputs);
          r.familiarity = run_row(o, *est, row);
        }
      } catch (const std::exception& e) {
        r.status = "failed";
        r.error = e.what();
      }
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::lock_guard<std::mutex> lock(progress);
      if (r.status == "failed") {
        ++failed;
        spdlog::warn("{} (manifest line {}): {}", row.name, row.line, r.error);
      }
      results[k] = r;
      bar.update(++done, failed ? std::to_string(failed) + " failed" : "");
    }
  };
  std::vector<std::thread> pool;
  for (int j = 1; j < jobs; ++j) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  bar.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Each process leaves its rows' results in the output folder; the sum below doubles as the
  // barrier after which the first process gathers them into one summary.
  const fs::path parts = fs::path(o.out_dir) / ".batch_parts";
  std::error_code ec;
  fs::create_directories(parts, ec);
  nlohmann::json part = nlohmann::json::array();
  for (const auto& r : results) part.push_back(to_json(r));
  write_file_atomically((parts / ("process-" + std::to_string(group->rank()) + ".json")).string(), part.dump() + "\n");
  std::vector<torch::Tensor> barrier = {torch::ones({1}, torch::kDouble)};
  group->all_reduce_sum(barrier);
  // Failed rows fail the run through the first process alone, which gathers every row into the
  // summary: under mpirun any non-zero status ends the job with a notice naming the process, and
  // the others' would name one whose rows are only part of the story.
  if (!group->is_main()) return 0;

  nlohmann::json all = nlohmann::json::array();
  for (int p = 0; p < group->size(); ++p) {
    const std::string file = (parts / ("process-" + std::to_string(p) + ".json")).string();
    for (auto& r : nlohmann::json::parse(read_file(file))) all.push_back(r);
  }
  fs::remove_all(parts, ec);
  std::map<std::string, int> counts = {{"predicted", 0}, {"skipped", 0}, {"failed", 0}};
  nlohmann::json failures = nlohmann::json::array();
  std::vector<int> per_process(static_cast<size_t>(group->size()), 0);
  nlohmann::json unfamiliar = nlohmann::json::array();  // rows whose input the model found unlike its training data
  for (const auto& r : all) {
    if (r.contains("familiarity") && r["familiarity"].value("warning", false)) unfamiliar.push_back(r["name"]);
    ++counts[r["status"].get<std::string>()];
    ++per_process[r["process"].get<size_t>()];
    if (r["status"] == "failed") failures.push_back({{"name", r["name"]}, {"error", r["error"]}});
  }
  nlohmann::json summary = {{"manifest", o.manifest},
                            {"model", o.model_path},
                            {"rows", rows.size()},
                            {"predicted", counts["predicted"]},
                            {"skipped", counts["skipped"]},
                            {"failed", counts["failed"]},
                            {"failures", failures},
                            {"processes", group->size()},
                            {"rows_per_process", per_process},
                            {"seconds", seconds},
                            {"unfamiliar_rows", unfamiliar},
                            {"rows_detail", all}};
  if (est->synthetic()) summary["note"] = "estimates from a model trained on synthetic data (docs/synthetic-data.md)";
  const std::string summary_path = (fs::path(o.out_dir) / "batch_summary.json").string();
  write_file_atomically(summary_path, summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  spdlog::info("batch: {} predicted, {} already done (skipped), {} failed of {} rows in {:.1f} s; summary {}",
               counts["predicted"], counts["skipped"], counts["failed"], rows.size(), seconds, summary_path);
  for (const auto& f : failures) spdlog::error("{}: {}", f["name"].get<std::string>(), f["error"].get<std::string>());
  if (!unfamiliar.empty())
    spdlog::warn("{} rows have input unlike the model's training data (NAME_familiarity.csv; {}): {}", unfamiliar.size(),
                 familiarity_explanation(est->unfamiliar_fallback()), unfamiliar.dump());
  if (est->synthetic()) spdlog::info("these estimates come from a model trained on synthetic data (docs/synthetic-data.md)");
  if (counts["failed"] && group->size() > 1)
    spdlog::info("exit status 1 for the failed rows (mpirun passes it on as one process's non-zero exit code)");
  return counts["failed"] ? 1 : 0;
}

}  // namespace

CommandRunner add_batch_command(CLI::App& app) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd =
      app.add_subcommand("batch",
                         "Predict every performance of a manifest in one process (model loaded once); resumable, and shared "
                         "among processes under mpirun");
  cmd->add_option("--manifest", o->manifest,
                  "CSV with a header: name and any of pose_top, pose_right, video_top, video_right, keys, midi "
                  "(paths relative to the manifest's folder)")
      ->required();
  cmd->add_option("-o,--out", o->out_dir,
                  "Output folder: NAME.csv (or .npy) per row, NAME_familiarity.csv when the model gives familiarity scores, and "
                  "batch_summary.json")
      ->required();
  cmd->add_option("-m,--model", o->model_path,
                  "Model file (our .pt, an official .pth, or an ensemble .json: the members' mean); default: the shipped "
                  "model for the first row's inputs");
  cmd->add_option("--config", o->config_path, "Model config JSON for an official state dict");
  cmd->add_option("--format", o->format, "Output format: csv or npy")->capture_default_str();
  cmd->add_flag("--analyze", o->analyze, "Also write NAME.analysis.json (as pianokpm analyze)");
  cmd->add_option("--c3d-markers", o->c3d_markers,
                  "For rows whose pose_top is a .c3d file: JSON naming the marker of each of the 21 keypoints (as convert)");
  add_bids_options(cmd, o->bids);
  cmd->add_option("--hand", o->hand, "Hand to track in videos: right, left or any")->capture_default_str();
  cmd->add_option("--pose-model", o->pose_model, "MediaPipe model size for videos: full or lite")->capture_default_str();
  cmd->add_option("--device", o->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("-j,--jobs", o->jobs, "Rows predicted at once in each process (0: its share of the cores, over --threads)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads per row (0: its share of the process's cores)")->capture_default_str();
  cmd->add_option("--batch-windows", o->batch_windows,
                  fmt::format("Windows ({:g} s each) per forward pass; bounds memory", kReleaseLayout.window_seconds))
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  return [o] { return run_batch(*o); };
}

}  // namespace pianokpm
