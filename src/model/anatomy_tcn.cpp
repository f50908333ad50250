#include "model/anatomy_tcn.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "anatomy/muscle_activity.h"
#include "model/model_options.h"
#include "model/model_registry.h"
#include "model/familiarity.h"

namespace pianokpm {

void AnatomyTcnOptions::check(const StreamLayout& layout) const {
  tcn.check(layout);
  anatomy.check(layout);
  require_option(layout.emg_channels == anatomy::kReleaseMuscles, "anatomy_tcn needs the release's six muscles");
  require_option(trust_familiarity >= 0 && trust_familiarity <= 1, "trust_familiarity must be 0..1");
  require_option(square_palm_aspect > 0 && std::isfinite(square_palm_aspect), "square_palm_aspect must be above 0");
  require_option(estimate_full_tilt_deg >= 0 && estimate_full_tilt_deg <= estimate_none_tilt_deg && estimate_none_tilt_deg <= 90,
                 "estimate_full_tilt_deg and estimate_none_tilt_deg must be 0 <= full <= none <= 90");
}

nlohmann::json AnatomyTcnOptions::to_json() const {
  nlohmann::json j = tcn.to_json();
  j["anatomy"] = anatomy.to_json();
  j["trust_familiarity"] = trust_familiarity;
  j["square_palm_aspect"] = square_palm_aspect;
  j["estimate_full_tilt_deg"] = estimate_full_tilt_deg;
  j["estimate_none_tilt_deg"] = estimate_none_tilt_deg;
  return j;
}

AnatomyTcnOptions AnatomyTcnOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, AnatomyTcnOptions().to_json());
  AnatomyTcnOptions o;
  nlohmann::json tcn = j;
  for (const char* own :
       {"anatomy", "trust_familiarity", "square_palm_aspect", "estimate_full_tilt_deg", "estimate_none_tilt_deg"})
    tcn.erase(own);
  o.tcn = PoseTcnOptions::from_json(tcn);
  if (j.contains("anatomy")) o.anatomy = AnatomicalOptions::from_json(j.at("anatomy"));
  read_field(j, "trust_familiarity", o.trust_familiarity);
  read_field(j, "square_palm_aspect", o.square_palm_aspect);
  read_field(j, "estimate_full_tilt_deg", o.estimate_full_tilt_deg);
  read_field(j, "estimate_none_tilt_deg", o.estimate_none_tilt_deg);
  return o;
}

AnatomyTcnNetImpl::AnatomyTcnNetImpl(const ModelConfig& c) : EmgModelImpl(c), options_(model_options<AnatomyTcnOptions>(c)) {
  if (!uses_pose(c.modality)) throw std::invalid_argument("anatomy_tcn: the modality must include pose");
  const int in = c.pose_channels() + anatomy::kReleaseMuscles + (uses_keys(c.modality) ? c.num_keys : 0);
  layers_ = PoseTcnLayers(*this, in, options_.tcn, c.emg_channels);
}

namespace {

// [B] float64: each window's median tilt of the palm from the image, degrees (see the header).
torch::Tensor palm_tilt_deg(const torch::Tensor& pose, double square_aspect) {
  const int64_t batch = pose.size(0), frames = pose.size(2);
  const torch::Tensor xy = pose.detach().narrow(1, 0, 42).to(torch::kCPU, torch::kDouble).contiguous();
  auto a = xy.accessor<double, 3>();
  const auto distance = [&](int64_t b, int64_t f, int i, int j) {
    return std::hypot(a[b][2 * i][f] - a[b][2 * j][f], a[b][2 * i + 1][f] - a[b][2 * j + 1][f]);
  };
  torch::Tensor out = torch::zeros({batch}, torch::kDouble);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<double> tilts;
    for (int64_t f = 0; f < frames; ++f) {
      const double width = distance(b, f, 5, 17), length = distance(b, f, 0, 9);
      if (!(width > 1e-9 && length > 1e-9) || !std::isfinite(width / length)) continue;  // no hand
      const double r = width / length;
      tilts.push_back(std::acos(std::min(r / square_aspect, square_aspect / r)) * 180.0 / M_PI);
    }
    if (tilts.empty()) continue;
    std::nth_element(tilts.begin(), tilts.begin() + static_cast<std::ptrdiff_t>(tilts.size() / 2), tilts.end());
    out[b] = tilts[tilts.size() / 2];
  }
  return out;
}

}  // namespace

bool AnatomyTcnNetImpl::falls_back() const { return options_.trust_familiarity > 0 && !config().familiarity.empty(); }

torch::Tensor AnatomyTcnNetImpl::trust_of(const torch::Tensor& pose, const torch::Tensor& features) const {
  const int64_t batch = features.size(0);
  if (!falls_back()) return torch::ones({batch}, torch::kDouble);
  const torch::Tensor familiarity = familiarity_scores(config().familiarity, window_descriptors(features.detach()));
  const torch::Tensor familiar = (familiarity / options_.trust_familiarity).clamp_max(1.0);
  if (familiar.ge(1.0).all().item<bool>()) return familiar;  // nearly every training batch: no view to judge
  const double full = options_.estimate_full_tilt_deg, none = options_.estimate_none_tilt_deg;
  const torch::Tensor tilt = palm_tilt_deg(pose, options_.square_palm_aspect);
  const torch::Tensor view = none > full ? ((none - tilt) / (none - full)).clamp(0.0, 1.0) : tilt.le(full).to(torch::kDouble);
  return 1.0 - (1.0 - familiar) * view;
}

torch::Tensor AnatomyTcnNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const ModelConfig& c = config();
  if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
  if (uses_keys(c.modality) && !keys.defined()) throw std::invalid_argument("this model needs keystroke input");
  const int64_t frames = pose.size(2);
  const double rate = c.pose_rate_hz;
  const torch::Tensor act = anatomical_activations(options_.anatomy, pose, rate);
  // The estimator's envelope at the EMG rate (what an unfamiliar window gets) and at the pose frames (an input).
  const torch::Tensor est = anatomical_envelope(options_.anatomy, act, rate, c.window_samples(), c.emg_rate_hz).to(pose.device());
  const torch::Tensor est_at_frames = anatomical_envelope(options_.anatomy, act, rate, frames, rate).to(pose.device());
  const torch::Tensor features = normalised_pose(pose);
  const torch::Tensor learned = layers_.forward_to_samples(
      {features, est_at_frames}, uses_keys(c.modality) ? keys : torch::Tensor(), frames, c.window_samples());
  const torch::Tensor weight = trust_of(pose, features).to(pose.device(), est.scalar_type()).view({-1, 1, 1});
  return weight * learned + (1 - weight) * est;
}

std::string AnatomyTcnNetImpl::unfamiliar_fallback() const {
  if (!falls_back()) return {};
  return "where the hand is seen square-on (the palm parallel to the image) this model gives the anatomical estimator's "
         "envelopes instead (muscle activity from the hand's geometry through a musculoskeletal hand, no training: "
         "docs/anatomy.md)";
}

PIANOKPM_REGISTER_MODEL(
    anatomy_tcn, AnatomyTcnNetImpl, AnatomyTcnOptions,
    "a pose TCN reading the anatomical estimate too, the estimate alone where the input is unfamiliar and the hand "
    "seen square-on (one camera)")

}  // namespace pianokpm
