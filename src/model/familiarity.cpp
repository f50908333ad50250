#include "model/familiarity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianokpm {

namespace {
constexpr double kSpreadFloor = 1e-3;  // log(std + floor): a frozen channel is far, not infinite
constexpr int kQuantiles = 101;
}  // namespace

void FamiliarityOptions::check() const {
  if (!(unfamiliar_below >= 0 && unfamiliar_below <= 1))
    throw std::invalid_argument("familiarity: unfamiliar_below must be 0..1");
  if (!(warn_share >= 0 && warn_share <= 1)) throw std::invalid_argument("familiarity: warn_share must be 0..1");
}

void FamiliarityFitOptions::check() const {
  if (max_neighbours < 2) throw std::invalid_argument("familiarity: max_neighbours must be >= 2");
  if (nearest < 1 || nearest >= max_neighbours) throw std::invalid_argument("familiarity: nearest must be 1..max_neighbours-1");
}

void FamiliarityReference::check(int64_t descriptor_size) const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("model config: familiarity." + what);
  };
  require(static_cast<int64_t>(mean.size()) == descriptor_size && std.size() == mean.size(),
          fmt::format("mean and std must have {} values (two per pose channel)", descriptor_size));
  require(std::all_of(std.begin(), std.end(), [](double s) { return s > 0 && std::isfinite(s); }), "std must be positive");
  require(std::all_of(mean.begin(), mean.end(), [](double m) { return std::isfinite(m); }), "mean must be finite");
  require(!neighbours.empty() && neighbours.size() % mean.size() == 0,
          "neighbours must hold whole rows of the descriptor's size");
  require(std::all_of(neighbours.begin(), neighbours.end(), [](double v) { return std::isfinite(v); }),
          "neighbours must be finite");
  require(nearest >= 1 && nearest <= neighbour_count(), "nearest must be 1..the number of neighbours");
  require(distance_quantiles.size() == kQuantiles, fmt::format("distance_quantiles must have {} values", kQuantiles));
  require(std::is_sorted(distance_quantiles.begin(), distance_quantiles.end()) && distance_quantiles.front() >= 0,
          "distance_quantiles must be non-negative and non-decreasing");
  require(windows >= 2, "windows must be >= 2");
}

nlohmann::json FamiliarityReference::to_json() const {
  return {{"mean", mean},
          {"std", std},
          {"neighbours", neighbours},
          {"nearest", nearest},
          {"distance_quantiles", distance_quantiles},
          {"windows", windows}};
}

FamiliarityReference FamiliarityReference::from_json(const nlohmann::json& j) {
  FamiliarityReference r;
  r.mean = j.at("mean").get<std::vector<double>>();
  r.std = j.at("std").get<std::vector<double>>();
  r.neighbours = j.at("neighbours").get<std::vector<double>>();
  r.nearest = j.at("nearest").get<int64_t>();
  r.distance_quantiles = j.at("distance_quantiles").get<std::vector<double>>();
  r.windows = j.at("windows").get<int64_t>();
  return r;
}

torch::Tensor window_descriptors(const torch::Tensor& features) {
  if (features.dim() != 3 || features.size(2) < 1) throw std::invalid_argument("window_descriptors: features must be [B, C, F]");
  const torch::Tensor f = features.to(torch::kDouble);
  const torch::Tensor spread = f.std(2, /*unbiased=*/false);
  return torch::cat({f.mean(2), (spread + kSpreadFloor).log()}, 1);
}

namespace {

std::vector<double> as_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// 4 decimals of a z-score are plenty, and keep the checkpoint's JSON small.
torch::Tensor rounded(const torch::Tensor& t) { return (t * 1e4).round() / 1e4; }

}  // namespace

FamiliarityReference fit_familiarity(const torch::Tensor& neighbour_descriptors, const torch::Tensor& calibration_descriptors,
                                     const FamiliarityFitOptions& options) {
  options.check();
  const torch::Tensor a = neighbour_descriptors.to(torch::kDouble), b = calibration_descriptors.to(torch::kDouble);
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(1) || a.size(0) <= options.nearest || b.size(0) < 2)
    throw std::invalid_argument("fit_familiarity: needs [Wa > nearest, D] and [Wb >= 2, D] descriptors");
  const torch::Tensor all = torch::cat({a, b}, 0);
  FamiliarityReference r;
  r.windows = all.size(0);
  r.nearest = options.nearest;
  // An entry that never varied gets 1: any change of it is then measured in its own units.
  const torch::Tensor raw_std = all.std(0, /*unbiased=*/false);
  r.mean = as_vector(all.mean(0));
  r.std = as_vector(torch::where(raw_std > 1e-9, raw_std, torch::ones_like(raw_std)));
  // Evenly spaced windows of the neighbour set (whole performances in the caller's order).
  const int64_t keep = std::min(options.max_neighbours, a.size(0));
  const torch::Tensor rows =
      torch::linspace(0, static_cast<double>(a.size(0) - 1), keep, torch::kDouble).round().to(torch::kLong);
  const torch::Tensor mean = torch::tensor(r.mean, torch::kDouble), std = torch::tensor(r.std, torch::kDouble);
  r.neighbours = as_vector(rounded((a.index_select(0, rows) - mean) / std));
  r.distance_quantiles.assign(kQuantiles, 0.0);  // so that familiarity_distance may run
  const torch::Tensor q = torch::quantile(familiarity_distance(r, b), torch::linspace(0.0, 1.0, kQuantiles, torch::kDouble));
  r.distance_quantiles = as_vector(q);
  return r;
}

torch::Tensor familiarity_distance(const FamiliarityReference& r, const torch::Tensor& descriptors) {
  const auto size = static_cast<int64_t>(r.mean.size());
  if (descriptors.dim() != 2 || descriptors.size(1) != size)
    throw std::invalid_argument(fmt::format("familiarity: descriptors must be [B, {}]", size));
  const torch::Tensor mean = torch::tensor(r.mean, torch::kDouble), std = torch::tensor(r.std, torch::kDouble);
  const torch::Tensor z = (descriptors.to(torch::kDouble).cpu() - mean) / std;
  const torch::Tensor neighbours = torch::tensor(r.neighbours, torch::kDouble).view({-1, size});
  // squared distances [B, R] by expansion (exact enough in float64), then the nearest-th smallest
  const torch::Tensor squared =
      (z.square().sum(1, true) + neighbours.square().sum(1).unsqueeze(0) - 2 * z.matmul(neighbours.t())).clamp_min(0);
  const torch::Tensor kth = std::get<0>(squared.topk(r.nearest, 1, /*largest=*/false, /*sorted=*/true)).select(1, r.nearest - 1);
  // NaN descriptors (no hand at all) stay NaN: familiarity 0
  return (kth / static_cast<double>(size)).sqrt().masked_fill(z.isnan().any(1), std::nan(""));
}

torch::Tensor familiarity_scores(const FamiliarityReference& r, const torch::Tensor& descriptors) {
  const torch::Tensor distances = familiarity_distance(r, descriptors).contiguous();
  const auto& q = r.distance_quantiles;
  torch::Tensor out = torch::empty_like(distances);
  const double* d = distances.data_ptr<double>();
  double* o = out.data_ptr<double>();
  for (int64_t i = 0; i < distances.numel(); ++i) {
    if (!std::isfinite(d[i]) || d[i] > q.back()) {  // beyond every training window (NaN: no hand at all)
      o[i] = 0.0;
      continue;
    }
    // Share of training windows with a distance >= d: one minus the interpolated percentile.
    const auto above = std::upper_bound(q.begin(), q.end(), d[i]);
    if (above == q.begin()) {
      o[i] = 1.0;
      continue;
    }
    const auto k = static_cast<size_t>(above - q.begin() - 1);
    double percentile = static_cast<double>(k);
    if (above != q.end() && *above > q[k]) percentile += (d[i] - q[k]) / (*above - q[k]);
    o[i] = 1.0 - percentile / (kQuantiles - 1);
  }
  return out;
}

}  // namespace pianokpm
