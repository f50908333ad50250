// pianokpm live: a camera, stream or video file through hand tracking and the model as frames
// arrive; EMG rows to text (stdout or a file), OSC, a recording and a browser view.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/bids_output.h"
#include "io/array_file.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "io/atomic_file.h"
#include "core/install_paths.h"
#include "core/input_error.h"
#include "io/midi_reader.h"
#include "live/live_pipeline.h"
#include "live/live_server.h"
#include "live/osc_output.h"
#ifdef PIANOKPM_HAVE_REMOTE
#include "analysis/muscles.h"
#include "live/push_output.h"
#endif
#include "live/recorder.h"
#include "live/text_output.h"
#include "core/device.h"
#include "core/stream_layout.h"
#include "predict/estimator.h"
#include "predict/performance_inputs.h"
#include "predict/window_familiarity.h"
#ifdef PIANOKPM_HAVE_RTMIDI
#include "live/midi_input.h"
#endif

namespace pianokpm {

namespace {

std::atomic<bool> g_live_stop{false};
// The first Ctrl-C ends the session cleanly; a second one (if that hangs) ends the process.
extern "C" void request_stop(int signal) {
  g_live_stop = true;
  std::signal(signal, SIG_DFL);
}

struct LiveCommandOptions {
  std::string source, model_path, hand = "right", pose_model = "full", device = "cpu";
  int max_hands = 1, threads = 1, queue = 2;
  bool realtime = false, whole_windows = false, pin_stages = false;
  double hop_s = StreamOptions().hop_s, duration_s = 0;
  std::string camera_size;
  std::string out, format = "csv", osc, record, serve, midi_file, midi_in, stats_path;
  std::string push, push_user, push_ca, push_password_file, push_title, push_session;
#ifdef PIANOKPM_HAVE_REMOTE
  double push_video_fps = live::PushVideoOptions{}.fps;
#endif
  BidsOutputFlags bids;  // the recording's EMG as BIDS-EMG at the end
  double osc_rate = 60;
  int max_viewers = 8;
};

// One line on a terminal, a few times a second: media time, fps, latency, drops.
class StatusLine : public live::LiveSink {
 public:
  StatusLine() : enabled_(::isatty(STDERR_FILENO) != 0) {}
  void on_emg(const live::EmgRows& rows, const live::LiveStats& s) override {
    if (!enabled_ || rows.latency_ms.empty()) return;
    const auto now = live::Clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::vector<float> l(rows.latency_ms);
    std::nth_element(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(l.size() / 2), l.end());
    fmt::print(stderr, "\rlive {:8.1f} s | {:5.1f} fps | latency {:5.0f} ms | dropped {} | hand in {} of {} frames   ",
               s.media_time_s, s.fps, l[l.size() / 2], s.frames_dropped, s.frames_with_hand, s.frames_tracked);
  }
  void on_end(const live::LiveStats&) override {
    if (enabled_) fmt::print(stderr, "\n");
  }

 private:
  bool enabled_;
  live::Clock::time_point last_{};
};

// The browser view's address, printed once the source is open: a source that cannot be opened
// ends the session before anyone is sent to a page with nothing on it. (The server is bound
// before, so that a port in use is reported before the camera starts.)
class ServedAt : public live::LiveSink {
 public:
  explicit ServedAt(std::string url) : url_(std::move(url)) {}
  void on_start(const live::SourceInfo&) override { spdlog::info("live view: {}", url_); }

 private:
  std::string url_;
};

// Every model run's familiarity (predict/stream_predictor.h), for the session's summary.
class FamiliarityTally : public live::LiveSink {
 public:
  void on_emg(const live::EmgRows& rows, const live::LiveStats&) override {
    if (!std::isnan(rows.chunk.familiarity)) scores_.push_back(rows.chunk.familiarity);
  }
  // The session's windows judged as predict judges a recording's, and their median; nullopt
  // without scores.
  std::optional<std::pair<WindowFamiliarity, double>> summary(const FamiliarityOptions& o) const {
    if (scores_.empty()) return std::nullopt;
    std::vector<double> v(scores_);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return std::make_pair(judged_familiarity(torch::tensor(scores_, torch::kDouble), o), v[v.size() / 2]);
  }

 private:
  std::vector<double> scores_;
};

float percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

int run_live_command(LiveCommandOptions o) {
  // Rows may go to stdout: messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("live"));
  spdlog::set_pattern("%^[%l]%$ %v");
  std::signal(SIGPIPE, SIG_IGN);  // a viewer or reader that goes away is an error return, not a kill
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  apply_thread_count(o.threads);
  const bool with_keys = !o.midi_file.empty() || !o.midi_in.empty();
  if (o.model_path.empty()) {
    o.model_path = shipped_models_dir() + "/" + default_model_name(false, with_keys);
    spdlog::info("no --model given: using {}", o.model_path);
  }
  if (o.out.empty() && o.osc.empty() && o.record.empty() && o.serve.empty() && o.push.empty()) o.out = "-";
  if (o.bids.wanted() && o.record.empty()) throw InputError("--bids", "writes the recording's EMG: give --record too");
  check_bids_flags(o.bids);

  live::LiveOptions lo;
  lo.source.source = o.source;
  lo.source.realtime = o.realtime;
  if (!o.camera_size.empty()) {
    if (std::sscanf(o.camera_size.c_str(), "%dx%d", &lo.source.camera_width, &lo.source.camera_height) != 2)
      throw std::invalid_argument("--camera-size must be WIDTHxHEIGHT, e.g. 640x480");
  }
  lo.tracker.model_dir = mediapipe_models_dir();
  lo.tracker.complexity = o.pose_model;
  lo.tracker.max_hands = o.hand == "both" ? std::max(o.max_hands, 2) : o.max_hands;
  lo.hand = o.hand;
  // The recording (the release's one-hand layout) and the browser view follow one hand.
  if (o.hand == "both" && (!o.record.empty() || !o.serve.empty() || !o.push.empty()))
    throw InputError("--hand both",
                     "streams two hands to --out and --osc; --record, --serve and --push follow one hand (right or left)");
  lo.stream.hop_s = o.hop_s;
  lo.stream.incremental = !o.whole_windows;
  lo.stream.device = parse_device(o.device);
  lo.frame_queue = o.queue;
  lo.pin_stages = o.pin_stages;
  lo.max_media_s = o.duration_s;
  live::MediaClock clock;
  lo.clock = &clock;
  lo.check();

  // On the model's device from here on; a state dict NAME.pth is read with NAME.json beside it.
  const Estimator est = load_estimator(o.model_path, "", lo.stream.device);
  const EmgModel& net = est.model("live runs one model: give one of its members");
  const ModelConfig& c = est.config();
  lo.stream.check(c);
  const bool synthetic = est.synthetic();
  const std::string note = synthetic ? "estimates from a model trained on synthetic data" : "";

  // Keystrokes: a MIDI file played in time, or a live MIDI port.
  std::unique_ptr<live::LiveKeys> keys;
  if (!o.midi_file.empty()) keys = std::make_unique<live::LiveKeys>(read_midi(o.midi_file));
  if (!o.midi_in.empty()) keys = std::make_unique<live::LiveKeys>();
#ifdef PIANOKPM_HAVE_RTMIDI
  std::unique_ptr<live::MidiInput> midi_in;
  if (!o.midi_in.empty()) {
    midi_in = std::make_unique<live::MidiInput>(o.midi_in, *keys, [&clock] { return clock.now_s(); });
    spdlog::info("keystrokes from MIDI port '{}'", midi_in->port_name());
  }
#else
  if (!o.midi_in.empty()) throw InputError("--midi-in", "this build has no MIDI input (librtmidi-dev was missing)");
#endif
  if (uses_keys(c.modality) && !keys)
    throw InputError(o.model_path,
                     "this model reads keystrokes: give --midi-in PORT or --midi-file FILE, or use a pose-only model");

  std::vector<std::unique_ptr<live::LiveSink>> owned;
  std::vector<live::LiveSink*> sinks;
  if (!o.osc.empty()) {
    live::OscOptions oo = live::parse_osc_target(o.osc);
    oo.rate_hz = o.osc_rate;
    owned.push_back(std::make_unique<live::OscOutput>(oo));
    spdlog::info("OSC to {}:{} ({} rows/s; addresses in docs/live.md)", oo.host, oo.port, oo.rate_hz);
  }
  live::Recorder* recorder = nullptr;
  if (!o.record.empty()) {
    live::RecorderOptions ro;
    ro.dir = o.record;
    ro.pose_rate_hz = c.pose_rate_hz;
    ro.emg_rate_hz = c.emg_rate_hz;
    ro.session = {{"source", o.source}, {"model", o.model_path}, {"synthetic_model", synthetic},
                  {"hand", o.hand},     {"hop_s", o.hop_s},      {"pose_model", o.pose_model}};
    auto r = std::make_unique<live::Recorder>(ro, keys.get());
    recorder = r.get();
    owned.push_back(std::move(r));
  }
#ifdef PIANOKPM_HAVE_REMOTE
  if (!o.push.empty()) {
    remote::PushOptions po;
    po.url = o.push;
    po.user = o.push_user;
    po.ca_file = o.push_ca;
    po.client_id = o.push_session;
    po.title = o.push_title.empty() ? o.source : o.push_title;
    po.rate_hz = c.emg_rate_hz;
    for (const MuscleInfo& m : muscle_infos()) po.channels.push_back(m.code);
    po.details = nlohmann::json{
        {"model", std::filesystem::path(o.model_path).filename().string()},
        {"synthetic_model", synthetic},
        {"hand",
         o.hand}}.dump();
    if (const char* env = std::getenv("PIANOKPM_PUSH_PASSWORD")) po.password = env;
    if (!o.push_password_file.empty()) {
      po.password = read_file(o.push_password_file);
      while (!po.password.empty() && (po.password.back() == '\n' || po.password.back() == '\r')) po.password.pop_back();
    }
    try {
      po.check();
    } catch (const std::invalid_argument& e) {
      throw InputError("--push", e.what());
    }
    auto client = std::make_unique<remote::PushClient>(po);
    client->start();
    spdlog::info("pushing to {} as {}", o.push, o.push_user);
    live::PushVideoOptions pv;
    pv.fps = o.push_video_fps;
    pv.note = note;
    owned.push_back(std::make_unique<live::PushOutput>(std::move(client), pv));
  }
#else
  if (!o.push.empty())
    throw InputError("--push", "this build has no remote sessions (libsqlite3-dev or libsodium-dev was missing)");
#endif
  // After the recorder, whose start can still fail (an existing session), so that such a failure
  // leaves no text file behind.
  if (!o.out.empty()) owned.push_back(std::make_unique<live::TextOutput>(o.out, live::parse_text_format(o.format)));
  live::LiveServer* server = nullptr;
  if (!o.serve.empty()) {
    live::LiveServerOptions so = live::parse_serve_target(o.serve);
    so.max_viewers = o.max_viewers;
    so.note = note;
    so.unfamiliar_fallback = est.unfamiliar_fallback();
    so.title = "pianokpm live: " + o.source;
    if (!live::is_loopback_host(so.host)) spdlog::warn("the live view is served on {}, reachable from other machines", so.host);
    auto s = std::make_unique<live::LiveServer>(so);
    s->start();
    server = s.get();
    owned.push_back(std::make_unique<ServedAt>(s->url()));
    owned.push_back(std::move(s));
  }
  owned.push_back(std::make_unique<StatusLine>());
  auto tally_owned = std::make_unique<FamiliarityTally>();
  FamiliarityTally* tally = tally_owned.get();
  owned.push_back(std::move(tally_owned));
  for (auto& s : owned) sinks.push_back(s.get());

  spdlog::info("live from {} with {} ({}), hop {:.4g} s{}", o.source, o.model_path, to_string(c.modality), o.hop_s,
               synthetic ? "; estimates from a model trained on synthetic data (docs/synthetic-data.md)" : "");
  const live::LiveSummary summary = live::run_live(lo, net, keys.get(), sinks, g_live_stop);
  if (server) server->stop();

  const auto& s = summary.stats;
  const float p50 = percentile(summary.latency_ms, 0.5), p99 = percentile(summary.latency_ms, 0.99);
  spdlog::info(
      "{}: {} frames read, {} tracked, {} dropped, a hand ({}) in {}; {} EMG rows ({:.2f} s); latency median {:.0f} ms, "
      "99th percentile {:.0f} ms; the model {:.1f} ms per hop ({}), one whole window {:.1f} ms{}",
      summary.source_ended ? "the source ended" : "stopped", s.frames_read, s.frames_tracked, s.frames_dropped, o.hand,
      s.frames_with_hand, s.rows, static_cast<double>(s.rows) / c.emg_rate_hz, p50, p99, percentile(summary.model_ms, 0.5),
      summary.incremental ? "incremental" : "whole windows", summary.window_ms,
      s.rows_skipped ? fmt::format("; {} rows left out while the model was over a second behind", s.rows_skipped) : "");
  if (recorder) spdlog::info("recorded to {} (session {})", o.record, recorder->name());
  if (recorder && o.bids.wanted()) {
    // From the recording as written: the rows it holds (dropped ones as zeros) and its keystrokes.
    const std::filesystem::path rec(o.record);
    const std::string file = recorder->name() + ".pkl";
    BidsContent content;
    content.emg = read_array((rec / "emg_estimated" / file).string());
    content.rate_hz = c.emg_rate_hz;
    if (std::filesystem::exists(rec / "keystroke_data" / file))
      content.keys = read_array((rec / "keystroke_data" / file).string());
    content.provenance = bids_estimate_provenance(o.model_path, c, synthetic);
    content.provenance["EstimatedBy"]["live_session"] = recorder->name();
    if (content.emg.size(0) > 0) write_bids_output(o.bids, content);
  }
  const FamiliarityOptions familiarity_options;
  const auto familiarity = tally->summary(familiarity_options);
  std::optional<double> unfamiliar_share;
  if (familiarity) {
    const auto& [judged, median] = *familiarity;
    unfamiliar_share = static_cast<double>(judged.unfamiliar) / static_cast<double>(judged.windows());
    const std::string line = fmt::format("{}: familiarity median {:.2f}, {:.0f}% of the model's windows below {}",
                                         judged.warn ? "UNFAMILIAR INPUT" : "familiar input", median, 100 * *unfamiliar_share,
                                         familiarity_options.unfamiliar_below);
    if (judged.warn)
      spdlog::warn("{}; {}", line, familiarity_explanation(est.unfamiliar_fallback()));
    else
      spdlog::info("{}", line);
  }
  if (!o.stats_path.empty()) {
    nlohmann::json j = {
        {"source_ended", summary.source_ended},
        {"frames_read", s.frames_read},
        {"frames_tracked", s.frames_tracked},
        {"frames_dropped", s.frames_dropped},
        {"frames_with_hand", s.frames_with_hand},
        {"rows", s.rows},
        {"rows_skipped", s.rows_skipped},
        {"media_time_s", s.media_time_s},
        {"latency_ms_median", p50},
        {"latency_ms_p99", p99},
        {"latency_ms_p95", percentile(summary.latency_ms, 0.95)},
        {"latency_ms_max",
         summary.latency_ms.empty() ? 0.f : *std::max_element(summary.latency_ms.begin(), summary.latency_ms.end())},
        {"hop_s", o.hop_s},
        {"incremental", summary.incremental},
        {"model_ms_median", percentile(summary.model_ms, 0.5)},
        {"model_ms_p99", percentile(summary.model_ms, 0.99)},
        {"window_ms", summary.window_ms}};
    if (server) j["viewers_refused"] = server->viewers_refused();
    if (familiarity) {
      j["familiarity_median"] = familiarity->second;
      j["familiarity_unfamiliar_share"] = *unfamiliar_share;
    }
    write_file_atomically(o.stats_path, j.dump(2) + "\n");
  }
  if (s.frames_read == 0) throw InputError(o.source, "no frame could be read");
  return 0;
}

}  // namespace

CommandRunner add_live_command(CLI::App& app) {
  auto o = std::make_shared<LiveCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "live",
      "Estimate EMG live from a camera, a network stream or a video file: rows as they are computed to text, OSC, "
      "a recording and a browser view (docs/live.md)");
  cmd->add_option("-s,--source", o->source,
                  "A camera (index 0, 1, ... or /dev/videoN), a stream URL (rtsp://, http://, udp://, ...) or a video file")
      ->required();
  cmd->add_flag("--realtime", o->realtime,
                "Play a video file at its own frame rate, as a camera would (else as fast as it decodes)");
  cmd->add_option("-m,--model", o->model_path,
                  "One-view model (.pt, or an official .pth with its config beside it). Default: the shipped one-camera "
                  "model trained on synthetic data, as predict's (synthetic_any_camera.pt, the hand's frame, any camera; "
                  "with a MIDI input synthetic_any_camera_keys.pt)");
  cmd->add_option("--hand", o->hand,
                  "Hand to follow: right, left or any; both: the left and the right, each with its own EMG stream (text and OSC)")
      ->capture_default_str();
  cmd->add_option("--pose-model", o->pose_model, "MediaPipe model size: full or lite")->capture_default_str();
  cmd->add_option("--max-hands", o->max_hands, "Hands tracked (1: the palm detector runs only while the hand is lost)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  cmd->add_option("--hop", o->hop_s,
                  fmt::format("Seconds between model runs; each emits its newest hop of EMG (a multiple of 1/{:g}; "
                              "default 1/30: once per frame of a 30-fps camera)",
                              kReleaseLayout.pose_rate_hz))
      ->transform(seconds_or_fraction());
  cmd->add_flag("--whole-windows", o->whole_windows,
                "Run the model on the whole window every hop (else, for models that stream, only on what the hop adds)");
  cmd->add_flag("--pin-stages", o->pin_stages, "Keep tracking on one core and the model on another");
  cmd->add_option("--queue", o->queue, "Frames waiting for the tracker; when full the oldest is dropped (and counted)")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration_s,
                  "Stop after this many seconds of media time (0: when the source ends or on Ctrl-C)")
      ->capture_default_str();
  cmd->add_option("--camera-size", o->camera_size, "Capture size asked of a camera, WIDTHxHEIGHT");
  cmd->add_option("-o,--out", o->out, "EMG rows as text: a file, or - for stdout (the default when no other output is given)");
  cmd->add_option("--format", o->format, "Text format: csv or ndjson")->capture_default_str();
  cmd->add_option("--osc", o->osc, "Send OSC over UDP to HOST:PORT (or PORT on 127.0.0.1)");
  cmd->add_option("--osc-rate", o->osc_rate, "OSC rows per second")->capture_default_str();
  cmd->add_option("--record", o->record, "Record the session (video, keypoints, EMG) into this folder");
  add_bids_options(cmd, o->bids);
  cmd->add_option("--serve", o->serve, "Serve the live view at HOST:PORT (or PORT on 127.0.0.1), e.g. 127.0.0.1:8080");
  cmd->add_option("--max-viewers", o->max_viewers, "Browser streams of each kind served at once")->capture_default_str();
  auto* mf = cmd->add_option("--midi-file", o->midi_file, "Keystrokes from a MIDI file played in time with the source");
  cmd->add_option("--midi-in", o->midi_in, "Keystrokes from a MIDI input port (index or part of its name)")->excludes(mf);
  cmd->add_option("--push", o->push, "Send the EMG rows to a `pianokpm serve` server, https://HOST:PORT (docs/remote.md)");
  cmd->add_option("--push-user", o->push_user, "The player's account on that server");
  cmd->add_option("--push-password-file", o->push_password_file,
                  "File holding the account's password (default: the PIANOKPM_PUSH_PASSWORD variable)");
  cmd->add_option("--push-ca", o->push_ca, "The server's certificate (PEM) to trust, e.g. its self-signed DATA/tls/cert.pem");
  cmd->add_option("--push-title", o->push_title, "Title of the session on the server (default: the source)");
#ifdef PIANOKPM_HAVE_REMOTE
  cmd->add_option("--push-video-fps", o->push_video_fps,
                  "Overlay pictures per second sent to the server's viewers (0: none; not stored there)")
      ->capture_default_str();
#endif
  cmd->add_option("--push-session", o->push_session,
                  "The session's id on the server (up to 64 characters); an id used before continues that session "
                  "after the rows it holds (e.g. after a crash); default: a new session");
  cmd->add_option("--stats", o->stats_path, "Write the session's counters and latency percentiles as JSON here at the end");
  cmd->add_option("--device", o->device, "Where the EMG model runs: cpu or cuda")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "CPU threads per stage (tracking and model run side by side)")
      ->capture_default_str();
  return [o] { return run_live_command(*o); };
}

}  // namespace pianokpm
