#include "synth/muscle_model.h"

#include <algorithm>
#include <ATen/Parallel.h>

#include <cmath>

#include "signal/butterworth.h"
#include "signal/envelope_normalisation.h"
#include "synth/keyboard.h"
#include "synth/random.h"

namespace pianokpm::synth {

namespace {

// Extra drive per unit of wide span (chords wider than kSpanFreeMm).
constexpr double kSpanDrive[kNumMuscles] = {0.6, 0.5, 0.3, 0.0, 0.0, 0.1};
constexpr double kSpanFreeMm = 110.0, kSpanFullMm = 100.0;
// A held chord's span, for the posture it holds: from a sixth (~60 mm) to beyond an octave.
constexpr double kHoldSpanFreeMm = 60.0, kHoldSpanFullMm = 120.0;
// A phrase's posture is held from just before its first press to shortly after a release.
constexpr double kPostureLeadS = 0.1, kPostureTailS = 0.3;
constexpr double kBurstAfterBedS = 0.03;  // the burst lasts until just after contact
constexpr double kHoldFraction = 0.3;     // holding a key down takes less
constexpr double kOnsetJitterS = 0.006;
constexpr double kDriveScale = 0.45;
constexpr double kCarrierLowHz = 30.0, kCarrierHighHz = 350.0;  // playing takes a fraction of a maximal contraction

double loudness_factor(int velocity) { return 0.25 + 0.75 * std::pow(velocity / 127.0, 1.2); }

}  // namespace

torch::Tensor muscle_excitation(const Score& score, const Pianist& p, double seconds, double rate_hz, std::mt19937_64& rng,
                                const MuscleDrive& drive_model) {
  const auto rows = static_cast<int64_t>(std::llround(seconds * rate_hz));
  torch::Tensor e = torch::zeros({rows, kNumMuscles}, torch::kDouble);
  double* pe = e.data_ptr<double>();
  std::normal_distribution<double> jitter(0.0, kOnsetJitterS);
  auto sample_at = [&](double t) { return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(t * rate_hz)), 0, rows); };
  const bool holds_span = drive_model.span_hold[0] != 0 || drive_model.span_hold[1] != 0;
  for (size_t k = 0; k < score.notes.size(); ++k) {
    const Note& n = score.notes[k];
    const double span = std::clamp((n.chord_span_mm - kSpanFreeMm) / kSpanFullMm, 0.0, 1.0);
    const bool co = n.chord_size >= 3 || (n.chord_size == 2 && n.chord_span_mm > kSpanFreeMm);
    const double onset = n.t_bed_s - p.emd_s + jitter(rng);
    std::array<double, kNumMuscles> drive{};
    for (int m = 0; m < kNumMuscles; ++m) {
      double d = drive_model.recruitment[m][n.finger - 1] + kSpanDrive[m] * span + (co ? drive_model.co_contraction : 0.0);
      if (n.thumb_crossing && drive_model.crossing[m] != 0) d += drive_model.crossing[m];
      // Chord notes share the hand's effort.
      drive[m] = kDriveScale * p.gain[m] * d * loudness_factor(n.velocity) / std::sqrt(static_cast<double>(n.chord_size));
    }
    const auto first = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(onset * rate_hz)));
    const auto last = std::min<int64_t>(rows - 1, static_cast<int64_t>(std::floor(n.t_release_s * rate_hz)));
    // A spread hand is held as long as the chord is: counted once per chord, at its first note
    // (the notes of a chord are adjacent and a few ms apart).
    const bool chord_start = n.chord_size > 1 && (k == 0 || score.notes[k - 1].chord_size != n.chord_size ||
                                                  n.t_bed_s - score.notes[k - 1].t_bed_s > 0.02);
    const double hold_span =
        holds_span && chord_start ? std::clamp((n.chord_span_mm - kHoldSpanFreeMm) / kHoldSpanFullMm, 0.0, 1.0) : 0.0;
    for (int64_t i = first; i <= last; ++i) {
      const double t = static_cast<double>(i) / rate_hz;
      const double level = t <= n.t_bed_s + kBurstAfterBedS ? 1.0 : kHoldFraction;
      for (int m = 0; m < kNumMuscles; ++m) pe[i * kNumMuscles + m] += level * drive[m];
      if (hold_span > 0) {
        for (int m = 0; m < kNumMuscles; ++m)
          pe[i * kNumMuscles + m] += kDriveScale * p.gain[m] * drive_model.span_hold[m] * hold_span;
      }
    }
  }
  const bool posture = std::any_of(drive_model.posture.begin(), drive_model.posture.end(), [](double v) { return v != 0; });
  if (posture || drive_model.stiffness_per_hz > 0) {
    // Held posture over each phrase, and stiffening with the recent note rate.
    std::vector<double> phrase(static_cast<size_t>(rows), 0.0), presses(static_cast<size_t>(rows) + 1, 0.0);
    for (const Note& n : score.notes) {
      const int64_t a = sample_at(n.t_bed_s - p.emd_s - kPostureLeadS), b = sample_at(n.t_release_s + kPostureTailS);
      for (int64_t i = a; i < b; ++i) phrase[i] = 1.0;
      presses[sample_at(n.t_bed_s - p.emd_s)] += 1.0 / n.chord_size;  // a chord is one movement
    }
    const auto window = static_cast<int64_t>(std::llround(kRateWindowS * rate_hz));
    double recent = 0;
    for (int64_t i = 0; i < rows; ++i) {
      recent += presses[i] - (i >= window ? presses[i - window] : 0.0);
      const double stiff = drive_model.stiffness_per_hz * std::max(0.0, recent / kRateWindowS - kRelaxedRateHz);
      for (int m = 0; m < kNumMuscles; ++m) {
        pe[i * kNumMuscles + m] += kDriveScale * p.gain[m] * (phrase[i] * drive_model.posture[m] + stiff);
      }
    }
  }
  const torch::Tensor tonic = torch::tensor(std::vector<double>(p.tonic.begin(), p.tonic.end()), torch::kDouble);
  return (e + tonic).clamp(0.0, 1.0);
}

torch::Tensor muscle_activation(const torch::Tensor& excitation, const Pianist& p, double rate_hz) {
  torch::Tensor a = torch::empty_like(excitation);
  const int64_t rows = excitation.size(0);
  const double* pe = excitation.data_ptr<double>();
  double* pa = a.data_ptr<double>();
  const double up = 1.0 - std::exp(-1.0 / (rate_hz * p.tau_activation_s));
  const double down = 1.0 - std::exp(-1.0 / (rate_hz * p.tau_deactivation_s));
  for (int m = 0; m < kNumMuscles; ++m) {
    double state = rows ? pe[m] : 0.0;
    for (int64_t i = 0; i < rows; ++i) {
      const double target = pe[i * kNumMuscles + m];
      state += (target > state ? up : down) * (target - state);
      pa[i * kNumMuscles + m] = state;
    }
  }
  return a;
}

torch::Tensor raw_emg(const torch::Tensor& activation, const Pianist& p, double rate_hz, std::mt19937_64& rng) {
  const int64_t rows = activation.size(0);
  torch::Tensor raw = torch::empty({rows, kNumMuscles}, torch::kDouble);
  const double* pa = activation.data_ptr<double>();
  double* pr = raw.data_ptr<double>();
  // Motor-unit action potential trains seen through the skin: most power between 30 and 350 Hz,
  // so that the spectrum sits inside the 20-450 Hz band that recordings keep.
  const auto band = design_butterworth({FilterKind::kBandPass, 4, kCarrierLowHz, kCarrierHighHz, rate_hz});
  std::normal_distribution<double> white(0.0, 1.0);
  std::uniform_real_distribution<double> phase(0.0, 2 * M_PI);
  for (int m = 0; m < kNumMuscles; ++m) {
    std::vector<double> carrier(static_cast<size_t>(rows));
    for (double& v : carrier) v = white(rng);
    sos_filter(band, carrier);
    double power = 0;
    for (double v : carrier) power += v * v;
    const double scale = rows ? 1.0 / std::sqrt(power / static_cast<double>(rows) + 1e-30) : 1.0;
    const double hum_phase = phase(rng);
    for (int64_t i = 0; i < rows; ++i) {
      const double t = static_cast<double>(i) / rate_hz;
      pr[i * kNumMuscles + m] = p.electrode_mv[m] * pa[i * kNumMuscles + m] * carrier[i] * scale +
                                p.sensor_noise_mv * white(rng) + p.hum_mv * std::sin(2 * M_PI * kMainsHz * t + hum_phase);
    }
  }
  return raw;
}

torch::Tensor normalised_envelope(const torch::Tensor& raw, double rate_hz, const std::array<double, kNumMuscles>& mvc,
                                  const EmgEnvelopeOptions& options) {
  std::vector<std::vector<double>> channels(kNumMuscles);
  EnvelopeNormalisation mvc_normalisation;
  mvc_normalisation.kind = NormalisationKind::kMvc;
  mvc_normalisation.mvc.assign(mvc.begin(), mvc.end());
  at::parallel_for(0, kNumMuscles, 1, [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      torch::Tensor column = raw.select(1, m).contiguous();
      std::vector<double> x(column.data_ptr<double>(), column.data_ptr<double>() + column.numel());
      channels[m] = emg_envelope(x, rate_hz, options);
      normalise_envelope(channels[m], mvc_normalisation, static_cast<size_t>(m));
    }
  });
  const auto n = static_cast<int64_t>(channels[0].size());
  torch::Tensor out = torch::empty({n, kNumMuscles});
  float* po = out.data_ptr<float>();
  for (int m = 0; m < kNumMuscles; ++m)
    for (int64_t i = 0; i < n; ++i) po[i * kNumMuscles + m] = static_cast<float>(channels[m][i]);
  return out;
}

std::array<double, kNumMuscles> mvc_reference(const Pianist& p, double rate_hz, const EmgEnvelopeOptions& options,
                                              uint64_t seed) {
  constexpr double kTrialS = 2.0;
  std::mt19937_64 rng(mix_seed(seed, 0x3C0A7ull, static_cast<uint64_t>(p.id)));
  const torch::Tensor full = torch::ones({static_cast<int64_t>(kTrialS * rate_hz), kNumMuscles}, torch::kDouble);
  const torch::Tensor raw = raw_emg(full, p, rate_hz, rng);
  std::array<double, kNumMuscles> mvc{};
  for (int m = 0; m < kNumMuscles; ++m) {
    torch::Tensor column = raw.select(1, m).contiguous();
    std::vector<double> x(column.data_ptr<double>(), column.data_ptr<double>() + column.numel());
    const auto e = emg_envelope(x, rate_hz, options);
    double sum = 0;
    const size_t a = e.size() / 4, b = 3 * e.size() / 4;  // the steady middle of the trial
    for (size_t i = a; i < b; ++i) sum += e[i];
    mvc[m] = sum / static_cast<double>(b - a);
  }
  return mvc;
}

}  // namespace pianokpm::synth
