#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm {

namespace {
void require_same_shape(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes() || a.dim() != 2) throw std::invalid_argument("metrics: estimated and measured must both be [N, C]");
}
}  // namespace

double rmse(const torch::Tensor& estimated, const torch::Tensor& measured) {
  require_same_shape(estimated, measured);
  return std::sqrt((estimated.to(torch::kDouble) - measured.to(torch::kDouble)).pow(2).mean().item<double>());
}

double optimal_transport_distance(const torch::Tensor& estimated, const torch::Tensor& measured, const SinkhornOptions& o) {
  require_same_shape(estimated, measured);
  return sinkhorn_divergence_blocked(estimated.to(torch::kFloat), measured.to(torch::kFloat), o);
}

std::vector<double> pearson_per_channel(const torch::Tensor& estimated, const torch::Tensor& measured) {
  require_same_shape(estimated, measured);
  auto e = estimated.to(torch::kDouble), m = measured.to(torch::kDouble);
  e = e - e.mean(0);
  m = m - m.mean(0);
  auto r = (e * m).sum(0) / ((e.pow(2).sum(0) * m.pow(2).sum(0)).sqrt());
  std::vector<double> out(static_cast<size_t>(r.numel()));
  for (int64_t c = 0; c < r.numel(); ++c) out[c] = r[c].item<double>();
  return out;
}

std::vector<double> burst_onsets(const torch::Tensor& series, const OnsetOptions& o) {
  auto s = series.to(torch::kDouble).contiguous();
  const int64_t n = s.numel();
  if (n < 2) return {};
  const auto sorted = std::get<0>(s.sort());
  const double p05 = sorted[n / 20].item<double>(), p95 = sorted[(19 * n) / 20].item<double>();
  const double threshold = p05 + o.threshold_fraction * (p95 - p05);
  const double* p = s.data_ptr<double>();
  std::vector<double> onsets;
  double last = -1e9;
  for (int64_t i = 1; i < n; ++i) {
    if (p[i - 1] < threshold && p[i] >= threshold) {
      const double t = static_cast<double>(i) / o.rate_hz;
      if (t - last >= o.refractory_s) onsets.push_back(t);
      last = t;
    }
  }
  return onsets;
}

OnsetTiming onset_timing_error(const torch::Tensor& estimated, const torch::Tensor& measured, const OnsetOptions& o) {
  require_same_shape(estimated, measured);
  OnsetTiming r;
  double sum = 0;
  for (int64_t c = 0; c < measured.size(1); ++c) {
    const auto truth = burst_onsets(measured.select(1, c), o);
    const auto guess = burst_onsets(estimated.select(1, c), o);
    r.measured += static_cast<int64_t>(truth.size());
    for (double t : truth) {
      auto it = std::lower_bound(guess.begin(), guess.end(), t);
      double best = 1e9;
      if (it != guess.end()) best = std::min(best, std::abs(*it - t));
      if (it != guess.begin()) best = std::min(best, std::abs(*(it - 1) - t));
      if (best <= o.match_window_s) {
        sum += best;
        ++r.matched;
      }
    }
  }
  r.mean_abs_error_ms = r.matched ? 1000.0 * sum / static_cast<double>(r.matched) : std::nan("");
  return r;
}

}  // namespace pianokpm
