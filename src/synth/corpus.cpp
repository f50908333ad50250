#include "synth/corpus.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "io/array_file.h"
#include "io/atomic_file.h"
#include "io/midi_writer.h"
#include "core/stream_layout.h"
#include "data/corpus_dataset.h"
#include "synth/anatomical_drive.h"
#include "synth/hand_model.h"
#include "synth/key_motion.h"
#include "synth/keyboard.h"
#include "synth/motor_strategy.h"
#include "synth/muscle_model.h"
#include "synth/random.h"

namespace pianokpm::synth {

void SynthOptions::check() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("synth: ") + what);
  };
  require(pianists >= 1 && pianists <= 999, "pianists must be 1..999");
  require(tasks >= 1 && tasks <= kNumTasks, "tasks must be 1..7");
  require(takes >= 1 && takes <= 99, "takes must be 1..99");
  require(simulator >= 1 && simulator <= kLatestSimulator, "simulator must be 1, 2 or 3");
  require(cameras == "fixed" || cameras == "varied", "cameras must be fixed or varied");
  require(seconds >= 2.0 && seconds <= 3600.0, "seconds must be 2..3600");
  require(pose_rate_hz > 0 && keys_rate_hz > 0 && raw_emg_rate_hz > 2 * envelope.band_high_hz,
          "rates must be positive and the raw EMG rate above twice the band edge");
  require(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1, "split fractions");
  require(held_out_pianist_fraction >= 0 && held_out_pianist_fraction < 1, "held_out_pianist_fraction must be 0..1");
  require(held_out_tasks >= 0 && held_out_tasks < tasks + (tasks == 1 ? 1 : 0), "held_out_tasks must leave a task");
  envelope.check(raw_emg_rate_hz);
  selected_performances(*this);  // rejects an unknown only_set
}

nlohmann::json SynthOptions::to_json() const {
  return {{"pianists", pianists},
          {"tasks", tasks},
          {"takes", takes},
          {"seconds", seconds},
          {"seed", seed},
          {"simulator", simulator},
          {"cameras", cameras},
          {"only_set", only_set},
          {"pose_rate_hz", pose_rate_hz},
          {"keys_rate_hz", keys_rate_hz},
          {"raw_emg_rate_hz", raw_emg_rate_hz},
          {"envelope",
           {{"band_low_hz", envelope.band_low_hz},
            {"band_high_hz", envelope.band_high_hz},
            {"band_order", envelope.band_order},
            {"lowpass_hz", envelope.lowpass_hz},
            {"lowpass_order", envelope.lowpass_order},
            {"output_rate_hz", envelope.output_rate_hz},
            {"normalisation", "per pianist and muscle by a simulated 2-s MVC trial"}}}};
}

std::string performance_name(int task, int pianist, int take) { return fmt::format("t{}_p{}_{}", task, pianist, take); }

int camera_family(uint64_t seed, int task, int pianist, int take) {
  return static_cast<int>(mix_seed(seed, 0xCA3E5ull, static_cast<uint64_t>(task) * 1000 + static_cast<uint64_t>(pianist),
                                   static_cast<uint64_t>(take)) %
                          kCameraFamilies);
}

int held_out_camera_family(uint64_t seed) { return static_cast<int>(mix_seed(seed, 0xCA3E6ull) % kCameraFamilies); }

Performance generate_performance(const SynthOptions& o, const Pianist& pianist, const std::array<double, kNumMuscles>& mvc,
                                 int task, int take) {
  Performance perf;
  perf.task = task;
  perf.pianist = pianist.id;
  perf.take = take;
  perf.name = performance_name(task, pianist.id, take);
  const uint64_t stream =
      mix_seed(o.seed, static_cast<uint64_t>(task), static_cast<uint64_t>(pianist.id), static_cast<uint64_t>(take));
  std::mt19937_64 score_rng(mix_seed(stream, 1)), camera_rng(mix_seed(stream, 2)), muscle_rng(mix_seed(stream, 3)),
      emg_rng(mix_seed(stream, 4));

  perf.score = compose_score(task, pianist, o.seconds, score_rng);
  perf.keys = render_key_depth(perf.score, o.seconds, o.keys_rate_hz);
  perf.keypoints_3d = hand_keypoints_3d(perf.score, pianist, o.seconds, o.pose_rate_hz, finger_shape(o.simulator));
  CameraImages images = film_hand(perf.keypoints_3d, camera_rng);
  perf.pose_top = images.top;
  perf.pose_right = images.right;
  std::optional<CameraSetup> top_camera;
  if (o.cameras == "varied") {
    std::mt19937_64 rig_rng(mix_seed(stream, 5));
    top_camera = draw_camera(camera_family(o.seed, task, pianist.id, take), hand_centre(perf.keypoints_3d), rig_rng);
    perf.pose_top = film_with_camera(perf.keypoints_3d, *top_camera, TrackingNoise{}, rig_rng);
  }
  const MuscleDrive drive = muscle_drive(pianist, task, o.simulator);
  const torch::Tensor excitation =
      o.simulator == 3 ? anatomical_excitation(perf.score, pianist, o.seconds, o.raw_emg_rate_hz, muscle_rng, drive)
                       : muscle_excitation(perf.score, pianist, o.seconds, o.raw_emg_rate_hz, muscle_rng, drive);
  perf.activation = muscle_activation(excitation, pianist, o.raw_emg_rate_hz);
  const torch::Tensor raw = raw_emg(perf.activation, pianist, o.raw_emg_rate_hz, emg_rng);
  perf.emg_raw = raw.to(torch::kFloat);
  perf.emg = normalised_envelope(raw, o.raw_emg_rate_hz, mvc, o.envelope);
  // Keystrokes and envelope share one index: same length by construction, enforced here.
  const int64_t n = std::min(perf.keys.size(0), perf.emg.size(0));
  perf.keys = perf.keys.narrow(0, 0, n).contiguous();
  perf.emg = perf.emg.narrow(0, 0, n).contiguous();

  perf.meta = {{"name", perf.name},
               {"pianist", pianist.id},
               {"task", task},
               {"task_name", task_name(task)},
               {"take", take},
               {"seed", o.seed},
               {"simulator", o.simulator},
               {"seconds", o.seconds},
               {"pose_rate_hz", o.pose_rate_hz},
               {"keys_rate_hz", o.keys_rate_hz},
               {"emg_rate_hz", o.keys_rate_hz},
               {"raw_emg_rate_hz", o.raw_emg_rate_hz},
               {"tempo_bpm", perf.score.tempo_bpm},
               {"notes", perf.score.notes.size()},
               {"mains_hz", kMainsHz},
               {"mvc_reference_mv", mvc},
               {"pianist_parameters", pianist.to_json()}};
  if (top_camera) perf.meta["camera_top"] = top_camera->to_json();
  return perf;
}

namespace {

struct Entry {
  int task, pianist, take;
  std::string file;  // NAME.pkl, as the release's split files list them
};

std::vector<Entry> all_entries(const SynthOptions& o) {
  std::vector<Entry> e;
  for (int p = 1; p <= o.pianists; ++p)
    for (int t = 1; t <= o.tasks; ++t)
      for (int k = 1; k <= o.takes; ++k) e.push_back({t, p, k, performance_name(t, p, k) + ".pkl"});
  return e;
}

nlohmann::json names(const std::vector<Entry>& entries) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& e : entries) j.push_back(e.file);
  return j;
}

// Shuffled with a seed of its own, then cut: [0, a) [a, b) [b, n).
std::vector<std::vector<Entry>> cut(std::vector<Entry> entries, uint64_t seed, double first, double second) {
  std::mt19937_64 rng(seed);
  std::shuffle(entries.begin(), entries.end(), rng);
  const auto n = entries.size();
  auto count = [&](double f) { return f > 0 && n >= 3 ? std::max<size_t>(1, static_cast<size_t>(std::lround(f * n))) : 0; };
  const size_t a = count(first), b = a + count(second);
  return {std::vector<Entry>(entries.begin(), entries.begin() + a), std::vector<Entry>(entries.begin() + a, entries.begin() + b),
          std::vector<Entry>(entries.begin() + b, entries.end())};
}

}  // namespace

nlohmann::json architectural_split(const SynthOptions& o) {
  auto parts = cut(all_entries(o), mix_seed(o.seed, 0x5B117ull), o.test_fraction, o.val_fraction);
  return {{"train", names(parts[2])}, {"val", names(parts[1])}, {"test", names(parts[0])}};
}

nlohmann::json held_out_split(const SynthOptions& o) {
  std::mt19937_64 rng(mix_seed(o.seed, 0x4E1D0ull));
  std::vector<int> pianists(o.pianists), tasks(o.tasks);
  for (int i = 0; i < o.pianists; ++i) pianists[i] = i + 1;
  for (int i = 0; i < o.tasks; ++i) tasks[i] = i + 1;
  std::shuffle(pianists.begin(), pianists.end(), rng);
  std::shuffle(tasks.begin(), tasks.end(), rng);
  const int n_users = o.pianists >= 2 ? std::max(1, static_cast<int>(std::lround(o.held_out_pianist_fraction * o.pianists))) : 0;
  const int n_tasks = o.tasks >= 2 ? o.held_out_tasks : 0;
  const std::set<int> unseen_users(pianists.begin(), pianists.begin() + n_users);
  const std::set<int> unseen_tasks(tasks.begin(), tasks.begin() + n_tasks);
  // With varied cameras one family of placements is never seen in training either. Each test set
  // differs from training in one thing: a performance of an unseen pianist or task filmed by the
  // unseen family is in none of them.
  const bool varied = o.cameras == "varied";
  const int unseen_family = varied ? held_out_camera_family(o.seed) : -1;
  std::vector<Entry> seen, cross_user, cross_task, cross_camera;
  for (const auto& e : all_entries(o)) {
    const bool new_user = unseen_users.count(e.pianist) > 0, new_task = unseen_tasks.count(e.task) > 0;
    const bool new_camera = varied && camera_family(o.seed, e.task, e.pianist, e.take) == unseen_family;
    if (!new_user && !new_task && !new_camera) seen.push_back(e);
    if (new_user && !new_task && !new_camera) cross_user.push_back(e);
    if (new_task && !new_user && !new_camera) cross_task.push_back(e);
    if (new_camera && !new_user && !new_task) cross_camera.push_back(e);
  }
  auto parts = cut(seen, mix_seed(o.seed, 0x4E1D1ull), o.val_fraction, 0.0);
  nlohmann::json split = {{"train", names(parts[2])},
                          {"val", names(parts[0])},
                          {"test_cross_user", names(cross_user)},
                          {"test_cross_task", names(cross_task)},
                          {"held_out_pianists", std::vector<int>(unseen_users.begin(), unseen_users.end())},
                          {"held_out_tasks", std::vector<int>(unseen_tasks.begin(), unseen_tasks.end())}};
  if (varied) {
    split["test_cross_camera"] = names(cross_camera);
    split["held_out_cameras"] = std::vector<std::string>{camera_family_name(unseen_family)};
  }
  return split;
}

std::vector<std::string> selected_performances(const SynthOptions& o) {
  std::vector<std::string> files;
  if (o.only_set.empty()) {
    for (const auto& e : all_entries(o)) files.push_back(e.file);
    return files;
  }
  const auto colon = o.only_set.find(':');
  const std::string split = o.only_set.substr(0, colon), set = colon == std::string::npos ? "" : o.only_set.substr(colon + 1);
  nlohmann::json sets;
  if (split == "architectural")
    sets = architectural_split(o);
  else if (split == "held_out")
    sets = held_out_split(o);
  else
    throw std::invalid_argument("synth: only_set must be architectural:SET or held_out:SET, not '" + o.only_set + "'");
  // The held-out split also lists pianist and task numbers; those are not sets of performances.
  const bool metadata = set == "held_out_pianists" || set == "held_out_tasks" || set == "held_out_cameras";
  if (metadata || !sets.contains(set)) {
    throw std::invalid_argument("synth: the " + split + " split has no set '" + set + "'");
  }
  for (const auto& name : sets[set]) files.push_back(name.get<std::string>());
  return files;
}

// A corpus written with only_set lists only what it holds in its split files, so that `train` or
// `eval` on another set says the set is empty instead of naming a file that was never written.
nlohmann::json listing_only(nlohmann::json split, const std::set<std::string>& written) {
  for (auto& [key, value] : split.items()) {
    const auto is_performance = [](const nlohmann::json& v) {
      return v.is_string() && std::filesystem::path(v.get<std::string>()).extension() == ".pkl";
    };
    const bool performances = value.is_array() && !value.empty() && is_performance(value.front());
    if (!performances) continue;
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& name : value) {
      if (written.count(name.get<std::string>())) kept.push_back(name);
    }
    value = kept;
  }
  return split;
}

void write_corpus(const SynthOptions& o, const std::string& out_dir, const std::function<void(int64_t, int64_t)>& on_progress) {
  o.check();
  namespace fs = std::filesystem;
  for (const char* sub : {release_folders::kPoseTop, release_folders::kPoseRight, release_folders::kKeys, release_folders::kEmg,
                          kHand3dFolder, "emg_raw", "midi", "meta"}) {
    fs::create_directories(fs::path(out_dir) / sub);
  }
  std::vector<Pianist> pianists;
  std::vector<std::array<double, kNumMuscles>> mvc;
  for (int p = 1; p <= o.pianists; ++p) {
    pianists.push_back(Pianist::sample(p, o.seed));
    mvc.push_back(mvc_reference(pianists.back(), o.raw_emg_rate_hz, o.envelope, o.seed));
  }
  const auto chosen = selected_performances(o);
  const std::set<std::string> wanted(chosen.begin(), chosen.end());
  std::vector<Entry> entries;
  for (const auto& e : all_entries(o)) {
    if (wanted.count(e.file)) entries.push_back(e);
  }
  std::atomic<int64_t> done{0};
  std::mutex progress_mutex;
  // One performance per task of the pool; inner parallel loops then run inline.
  at::parallel_for(0, static_cast<int64_t>(entries.size()), 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const Entry& e = entries[i];
      const Performance perf = generate_performance(o, pianists[e.pianist - 1], mvc[e.pianist - 1], e.task, e.take);
      const fs::path root(out_dir);
      const std::string file = perf.name + ".pkl";
      write_array((root / release_folders::kPoseTop / file).string(), perf.pose_top);
      write_array((root / release_folders::kPoseRight / file).string(), perf.pose_right);
      write_array((root / kHand3dFolder / file).string(), perf.keypoints_3d.to(torch::kFloat));
      write_array((root / release_folders::kKeys / file).string(), perf.keys);
      write_array((root / release_folders::kEmg / file).string(), perf.emg);
      write_array((root / "emg_raw" / file).string(), perf.emg_raw);
      std::vector<MidiNote> notes;
      for (const Note& n : perf.score.notes) notes.push_back({n.key + kMidiOffset, n.velocity, n.t_bed_s, n.t_release_s});
      write_file_atomically((root / "midi" / (perf.name + ".mid")).string(), serialize_midi(notes, perf.score.tempo_bpm));
      write_file_atomically((root / "meta" / (perf.name + ".json")).string(), perf.meta.dump(2) + "\n");
      const int64_t finished = ++done;
      if (on_progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        on_progress(finished, static_cast<int64_t>(entries.size()));
      }
    }
  });
  const fs::path root(out_dir);
  write_file_atomically((root / "dataset_architectural.json").string(),
                        listing_only(architectural_split(o), wanted).dump(2) + "\n");
  write_file_atomically((root / "dataset_held_out.json").string(), listing_only(held_out_split(o), wanted).dump(2) + "\n");
  nlohmann::json info = o.to_json();
  info["generator"] = "pianokpm synth";
  info["note"] = "Synthetic data made by pianokpm's simulator, not recordings of people.";
  write_file_atomically((root / "corpus.json").string(), info.dump(2) + "\n");
}

}  // namespace pianokpm::synth
