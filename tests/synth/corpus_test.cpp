// The synthetic corpus: layout, determinism, and the physiological relations it must carry.
#include "synth/corpus.h"

#include <map>

#include "io/array_file.h"
#include "synth/keyboard.h"
#include "synth/muscle_model.h"
#include "test_support.h"

namespace pianokpm::synth {
namespace {

constexpr int kPrimaryMuscleOfFinger[5] = {1, 2, 3, 5, 0};  // thumb PB, index 1DI, middle 2DI, ring 4DI, little ADM

SynthOptions options(double seconds, int simulator = 2) {
  SynthOptions o;
  o.seconds = seconds;
  o.simulator = simulator;
  return o;
}

Performance make(int task, int pianist_id, double seconds = 30.0, int simulator = 2) {
  const SynthOptions o = options(seconds, simulator);
  const Pianist p = Pianist::sample(pianist_id, o.seed);
  return generate_performance(o, p, mvc_reference(p, o.raw_emg_rate_hz, o.envelope, o.seed), task, 1);
}

double mean_env(const Performance& perf, int muscle, double from_s, double to_s) {
  const auto a = static_cast<int64_t>(std::max(0.0, from_s) * 1024), b = static_cast<int64_t>(to_s * 1024);
  if (b <= a || b > perf.emg.size(0)) return std::nan("");
  return perf.emg.narrow(0, a, b - a).select(1, muscle).mean().item<double>();
}

// Simulators 2 (finger tables) and 3 (the musculoskeletal hand) must both carry these relations.
class BySimulator : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(SynthCorpus, BySimulator, ::testing::Values(2, 3));

TEST_P(BySimulator, EachMuscleRespondsMostToTheFingerItServes) {
  // mean envelope around key-bed contact, by muscle and pressing finger, single notes of every task
  double sum[6][5] = {}, count[6][5] = {};
  for (int pianist = 1; pianist <= 3; ++pianist) {
    for (int task = 1; task <= 7; ++task) {
      const Performance perf = make(task, pianist, 20.0, GetParam());
      for (const Note& n : perf.score.notes) {
        if (n.chord_size > 1) continue;
        for (int m = 0; m < 6; ++m) {
          const double v = mean_env(perf, m, n.t_bed_s - 0.04, n.t_bed_s + 0.06);
          if (std::isnan(v)) continue;
          sum[m][n.finger - 1] += v;
          count[m][n.finger - 1] += 1;
        }
      }
    }
  }
  const int expected_finger[6] = {5, 1, 2, 3, 3, 4};  // ADM, PB, 1DI, 2DI, 3DI, 4DI
  for (int m = 0; m < 6; ++m) {
    int best = 0;
    for (int f = 0; f < 5; ++f) {
      ASSERT_GT(count[m][f], 20) << "finger " << f + 1;
      if (sum[m][f] / count[m][f] > sum[m][best] / count[m][best]) best = f;
    }
    EXPECT_EQ(best + 1, expected_finger[m]) << "muscle " << m;
  }
}

TEST_P(BySimulator, EmgOnsetLeadsKeyBedContactBy30To100Ms) {
  double lead_sum = 0;
  int leads = 0;
  for (int pianist = 1; pianist <= 4; ++pianist) {
    for (int task : {5, 6, 7}) {
      const Performance perf = make(task, pianist, 30.0, GetParam());
      double previous = -1.0;
      for (const Note& n : perf.score.notes) {
        const bool isolated = n.t_bed_s - previous > 0.4 && n.chord_size == 1;
        previous = n.t_bed_s;
        if (!isolated) continue;
        const int m = kPrimaryMuscleOfFinger[n.finger - 1];
        const double base = mean_env(perf, m, n.t_bed_s - 0.3, n.t_bed_s - 0.2);
        double peak = 0;
        for (double t = n.t_bed_s - 0.1; t < n.t_bed_s + 0.1; t += 1.0 / 1024)
          peak = std::max(peak, mean_env(perf, m, t, t + 1.0 / 1024));
        if (std::isnan(base) || peak - base < 0.02) continue;
        for (double t = n.t_bed_s - 0.2; t < n.t_bed_s + 0.1; t += 1.0 / 1024) {
          if (mean_env(perf, m, t, t + 1.0 / 1024) > base + 0.2 * (peak - base)) {
            lead_sum += n.t_bed_s - t;
            ++leads;
            break;
          }
        }
      }
    }
  }
  ASSERT_GT(leads, 30);
  const double mean_lead_ms = 1000 * lead_sum / leads;
  std::cout << "mean EMG onset lead over " << leads << " isolated presses: " << mean_lead_ms << " ms\n";
  EXPECT_GE(mean_lead_ms, 30.0);
  EXPECT_LE(mean_lead_ms, 100.0);
}

TEST(SynthCorpus, PressingFingertipIsLowestInTheSideViewWhileItsKeyIsDown) {
  const Performance perf = make(6, 2, 30.0);  // five-finger exercises: every finger presses
  auto v = perf.pose_right.select(2, 1);      // image y (grows downwards)
  int good = 0, total = 0;
  for (const Note& n : perf.score.notes) {
    // Only presses that the same finger does not repeat within the window looked at.
    bool alone = true;
    for (const Note& other : perf.score.notes) {
      alone &= &other == &n || other.finger != n.finger || std::abs(other.t_bed_s - n.t_bed_s) > 0.4;
    }
    if (!alone) continue;
    const int tip = 4 * n.finger;
    const auto from = static_cast<int64_t>((n.t_bed_s - 0.2) * 60), to = static_cast<int64_t>((n.t_release_s + 0.1) * 60);
    if (from < 0 || to >= v.size(0)) continue;
    const auto lowest = from + v.narrow(0, from, to - from).select(1, tip).argmax().item<int64_t>();
    const double t = static_cast<double>(lowest) / 60;
    ++total;
    if (t >= n.t_bed_s - 1.0 / 60 && t <= n.t_release_s + 0.03) ++good;
  }
  ASSERT_GT(total, 20);
  EXPECT_GE(static_cast<double>(good) / total, 0.9) << good << " of " << total;
}

TEST(SynthCorpus, PianistsDifferInMuscleGains) {
  // The pianist with the highest hidden gain for a muscle shows more of it than the one with the lowest.
  std::vector<Performance> perfs;
  std::vector<Pianist> pianists;
  for (int p = 1; p <= 5; ++p) {
    perfs.push_back(make(7, p, 30.0));
    pianists.push_back(Pianist::sample(p, SynthOptions{}.seed));
  }
  int agree = 0;
  double largest_ratio = 1;
  for (int m = 0; m < 6; ++m) {
    size_t hi = 0, lo = 0;
    for (size_t i = 0; i < pianists.size(); ++i) {
      if (pianists[i].gain[m] > pianists[hi].gain[m]) hi = i;
      if (pianists[i].gain[m] < pianists[lo].gain[m]) lo = i;
    }
    const double a = perfs[hi].emg.select(1, m).mean().item<double>(), b = perfs[lo].emg.select(1, m).mean().item<double>();
    agree += a > b;
    largest_ratio = std::max(largest_ratio, a / b);
  }
  EXPECT_GE(agree, 5);
  EXPECT_GT(largest_ratio, 1.5);
}

// A hand-written score: presses every `step_s` from 0.5 s to 9.5 s, each striking `keys` with
// `fingers` (cycled through `pattern` for single notes), all at velocity 80.
Score regular_score(double step_s, const std::vector<std::vector<std::pair<int, int>>>& pattern) {
  Score s;
  size_t i = 0;
  for (double t = 0.5; t < 9.5; t += step_s, ++i) {
    const auto& chord = pattern[i % pattern.size()];
    const double span = key_x_mm(chord.back().first) - key_x_mm(chord.front().first);
    for (auto [key, finger] : chord) {
      Note n;
      n.key = key;
      n.finger = finger;
      n.t_bed_s = t;
      n.t_release_s = t + 0.8 * step_s;
      n.velocity = 80;
      n.chord_size = static_cast<int>(chord.size());
      n.chord_span_mm = span;
      s.notes.push_back(n);
    }
  }
  return s;
}

// Mean excitation of `muscle` above the pianist's tonic level over 1..9 s.
double mean_drive(const Score& score, const Pianist& p, int task, int simulator, int muscle) {
  std::mt19937_64 rng(5);
  const auto e = muscle_excitation(score, p, 10.0, 2000.0, rng, muscle_drive(p, task, simulator));
  return e.narrow(0, 2000, 16000).select(1, muscle).mean().item<double>() - p.tonic[muscle];
}

TEST(SynthCorpus, OctavesRaiseAdmAndPbMoreThanFiveFingerExercisesAtTheSameLoudness) {
  const Score octaves = regular_score(0.5, {{{27, 1}, {39, 5}}});
  const Score five_finger = regular_score(0.5, {{{39, 1}}, {{41, 2}}, {{43, 3}}, {{44, 4}}, {{46, 5}}});
  for (int id = 1; id <= 6; ++id) {
    const Pianist p = Pianist::sample(id, 42);
    for (int m : {0, 1}) {  // ADM, PB
      const double a = mean_drive(octaves, p, 5, 2, m), b = mean_drive(five_finger, p, 6, 2, m);
      EXPECT_GT(a, 1.5 * b) << "pianist " << id << " muscle " << m << ": octaves " << a << ", five-finger " << b;
    }
  }
}

TEST(SynthCorpus, FastRepetitionStiffensTheWholeHand) {
  // Index and middle finger alternating at 10 and at 2 presses per second: the muscles that do not
  // serve them (ADM, 4DI) co-activate in the fast trill under simulator 2; under simulator 1 ADM,
  // which serves neither finger there, stays at its tonic level.
  const std::vector<std::vector<std::pair<int, int>>> alternation = {{{39, 2}}, {{41, 3}}};
  const Score fast = regular_score(0.1, alternation), slow = regular_score(0.5, alternation);
  for (int id = 1; id <= 6; ++id) {
    const Pianist p = Pianist::sample(id, 42);
    for (int m : {0, 5}) {
      const double fast2 = mean_drive(fast, p, 4, 2, m), slow2 = mean_drive(slow, p, 4, 2, m);
      EXPECT_GT(fast2, slow2 + 0.02) << "pianist " << id << " muscle " << m;
      if (m == 0) {
        EXPECT_NEAR(mean_drive(fast, p, 4, 1, m), 0.0, 1e-9) << "simulator 1, pianist " << id;
      }
    }
  }
}

TEST(SynthCorpus, PianistsRecruitTheirMusclesDifferentlyNotOnlyMoreOrLess) {
  // Each muscle's response to single presses of each finger, as shares of that muscle's total:
  // per-muscle gains cancel, so under simulator 1 every pianist has the same shares; under
  // simulator 2 pianists recruit their muscles in their own proportions.
  auto shares = [](const Pianist& p, int simulator) {
    std::array<std::array<double, 5>, 6> r{};
    for (int f = 1; f <= 5; ++f) {
      const Score s = regular_score(0.5, {{{39, f}}});
      for (int m = 0; m < 6; ++m) r[m][f - 1] = mean_drive(s, p, 6, simulator, m);
    }
    for (auto& row : r) {
      double sum = 0;
      for (double v : row) sum += v;
      for (double& v : row) v /= sum;
    }
    return r;
  };
  auto largest_difference = [&](int simulator) {
    const auto reference = shares(Pianist::sample(1, 42), simulator);
    double largest = 0;
    for (int id = 2; id <= 6; ++id) {
      const auto other = shares(Pianist::sample(id, 42), simulator);
      for (int m = 0; m < 6; ++m)
        for (int f = 0; f < 5; ++f) largest = std::max(largest, std::abs(other[m][f] - reference[m][f]));
    }
    return largest;
  };
  const double v1 = largest_difference(1), v2 = largest_difference(2);
  std::cout << "largest difference in a finger's share of a muscle: simulator 1 " << v1 << ", simulator 2 " << v2 << "\n";
  EXPECT_LT(v1, 0.02);
  EXPECT_GT(v2, 0.15);
}

TEST(SynthCorpus, RawEmgSpectrumSitsIn20To450HzPlusTheHumLine) {
  const Performance perf = make(1, 1, 20.0);
  const double rate = 2000;
  for (int m = 0; m < 6; ++m) {
    auto x = perf.emg_raw.select(1, m).to(torch::kDouble);
    auto power = torch::fft::rfft(x - x.mean()).abs().pow(2);
    auto hz = torch::arange(power.size(0), torch::kDouble) * (rate / x.size(0));
    auto hum = (hz - 50).abs() < 0.5;
    const double in_band = power.masked_select((hz >= 20) & (hz <= 450)).sum().item<double>();
    const double total = power.sum().item<double>();
    EXPECT_GT(in_band / total, 0.95) << "muscle " << m;
    std::cout << "muscle " << m << ": " << 100 * in_band / total << "% of raw power in 20-450 Hz\n";
    // The 50 Hz line stands far above its neighbourhood.
    auto near = ((hz - 50).abs() < 5) & ~hum;
    EXPECT_GT(power.masked_select(hum).max().item<double>(), 20 * power.masked_select(near).median().item<double>());
  }
}

TEST(SynthCorpus, WritesTheReleaseLayoutDeterministically) {
  testing::ScratchDir dir;
  SynthOptions o;
  o.pianists = 3;
  o.tasks = 3;
  o.takes = 1;
  o.seconds = 4.0;
  write_corpus(o, dir / "a");
  write_corpus(o, dir / "b");
  o.seed = 7;
  write_corpus(o, dir / "c");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() / "a")) {
    if (!entry.is_regular_file()) continue;
    const auto rel = std::filesystem::relative(entry.path(), dir.path() / "a").string();
    EXPECT_EQ(testing::read_bytes(entry.path()), testing::read_bytes(dir / ("b/" + rel))) << rel;
    if (rel.rfind("emg_raw/", 0) == 0) {
      EXPECT_NE(testing::read_bytes(entry.path()), testing::read_bytes(dir / ("c/" + rel)));
    }
    ++files;
  }
  EXPECT_EQ(files, 9 * 8 + 3);  // per performance: two views, the 3D hand, keys, EMG, raw EMG, MIDI, meta

  const std::string a = dir / "a";
  const auto top = read_array(a + "/hand_data/keyp_top/t2_p3_1.pkl");
  EXPECT_EQ(top.sizes(), (std::vector<int64_t>{240, 21, 3}));
  EXPECT_EQ(top.scalar_type(), torch::kFloat);
  EXPECT_EQ(read_array(a + "/hand_data/keyp_right/t2_p3_1.pkl").sizes(), top.sizes());
  const auto hand = read_array(a + "/hand_data/keyp_3d/t2_p3_1.pkl");  // millimetres on the keyboard
  EXPECT_EQ(hand.sizes(), top.sizes());
  EXPECT_EQ(hand.scalar_type(), torch::kFloat);
  EXPECT_GE(hand.select(2, 2).min().item<float>(), -kKeyDipMm) << "no deeper than a pressed key";
  EXPECT_LT(hand.select(2, 2).max().item<float>(), 200.0f);
  const auto keys = read_array(a + "/keystroke_data/t2_p3_1.pkl"), emg = read_array(a + "/emg_data/t2_p3_1.pkl");
  EXPECT_EQ(keys.sizes(), (std::vector<int64_t>{4096, 88}));
  EXPECT_EQ(emg.sizes(), (std::vector<int64_t>{4096, 6}));
  EXPECT_GE(emg.min().item<float>(), 0.0f);
  EXPECT_LE(emg.max().item<float>(), 1.0f);
  EXPECT_GE(keys.min().item<float>(), 0.0f);
  EXPECT_LE(keys.max().item<float>(), 1.0f);
  EXPECT_EQ(read_array(a + "/emg_raw/t2_p3_1.pkl").sizes(), (std::vector<int64_t>{8000, 6}));

  // MIDI: as many note-ons as the meta says notes.
  const auto meta = nlohmann::json::parse(testing::read_bytes(a + "/meta/t2_p3_1.json"));
  const std::string midi = testing::read_bytes(a + "/midi/t2_p3_1.mid");
  EXPECT_EQ(midi.substr(0, 4), "MThd");
  size_t note_ons = 0;
  for (size_t i = 0; i + 2 < midi.size(); ++i) note_ons += static_cast<uint8_t>(midi[i]) == 0x90;
  EXPECT_EQ(note_ons, meta.at("notes").get<size_t>());
  EXPECT_GT(note_ons, 5u);
  EXPECT_TRUE(meta.at("pianist_parameters").contains("muscle_gain"));

  // Held-out split: unseen pianists and tasks never appear in training.
  const auto held = nlohmann::json::parse(testing::read_bytes(a + "/dataset_held_out.json"));
  std::set<std::string> train(held["train"].begin(), held["train"].end());
  for (const auto& name : held["test_cross_user"]) EXPECT_FALSE(train.count(name));
  for (int p : held["held_out_pianists"])
    for (const std::string name : held["train"]) EXPECT_EQ(name.find("_p" + std::to_string(p) + "_"), std::string::npos);
  EXPECT_FALSE(held["test_cross_task"].empty());
  const auto arch = nlohmann::json::parse(testing::read_bytes(a + "/dataset_architectural.json"));
  EXPECT_EQ(arch["train"].size() + arch["val"].size() + arch["test"].size(), 9u);

  // One set alone: the same bytes as in the whole corpus, and nothing else.
  o.seed = 42;
  o.only_set = "held_out:test_cross_user";
  write_corpus(o, dir / "d");
  std::set<std::string> wanted;
  for (const std::string name : held["test_cross_user"]) wanted.insert(name.substr(0, name.size() - 4));
  ASSERT_FALSE(wanted.empty());
  int written = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "d/emg_data")) {
    const std::string name = entry.path().stem().string();
    EXPECT_TRUE(wanted.count(name)) << name;
    for (const char* sub : {"emg_data/", "emg_raw/", "keystroke_data/", "hand_data/keyp_top/", "hand_data/keyp_right/"}) {
      const std::string rel = std::string(sub) + name + ".pkl";
      EXPECT_EQ(testing::read_bytes(dir / ("d/" + rel)), testing::read_bytes(dir / ("a/" + rel))) << rel;
    }
    ++written;
  }
  EXPECT_EQ(written, static_cast<int>(wanted.size()));
  // Its split files list only what it holds: the set itself, every other set empty.
  const auto only = nlohmann::json::parse(testing::read_bytes(dir / "d/dataset_held_out.json"));
  EXPECT_EQ(only["test_cross_user"], held["test_cross_user"]);
  EXPECT_EQ(only["held_out_pianists"], held["held_out_pianists"]);
  for (const char* other : {"train", "val", "test_cross_task"}) EXPECT_TRUE(only[other].empty()) << other;
  const auto only_arch = nlohmann::json::parse(testing::read_bytes(dir / "d/dataset_architectural.json"));
  size_t listed = 0;
  for (const char* set : {"train", "val", "test"}) {
    for (const std::string name : only_arch[set]) listed += wanted.count(name.substr(0, name.size() - 4));
  }
  EXPECT_EQ(listed, only_arch["train"].size() + only_arch["val"].size() + only_arch["test"].size());
  for (const char* bad :
       {"held_out:test", "architectural", "train", "arch:test", "held_out:held_out_pianists", "held_out:held_out_tasks"}) {
    o.only_set = bad;
    EXPECT_THROW(o.check(), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace pianokpm::synth
