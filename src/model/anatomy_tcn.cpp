#include "model/anatomy_tcn.h"

#include "anatomy/muscle_activity.h"
#include "model/model_options.h"
#include "model/model_registry.h"
#include "model/pose_front_end.h"

namespace pianokpm {

namespace F = torch::nn::functional;

void AnatomyTcnOptions::check(const StreamLayout& layout) const {
  tcn.check(layout);
  anatomy.check(layout);
  require_option(layout.emg_channels == anatomy::kReleaseMuscles, "anatomy_tcn needs the release's six muscles");
  require_option(trust_familiarity >= 0 && trust_familiarity <= 1, "trust_familiarity must be 0..1");
}

nlohmann::json AnatomyTcnOptions::to_json() const {
  nlohmann::json j = tcn.to_json();
  j["anatomy"] = anatomy.to_json();
  j["trust_familiarity"] = trust_familiarity;
  return j;
}

AnatomyTcnOptions AnatomyTcnOptions::from_json(const nlohmann::json& j) {
  refuse_unknown_fields(j, AnatomyTcnOptions().to_json());
  AnatomyTcnOptions o;
  nlohmann::json tcn = j;
  tcn.erase("anatomy");
  tcn.erase("trust_familiarity");
  o.tcn = PoseTcnOptions::from_json(tcn);
  if (j.contains("anatomy")) o.anatomy = AnatomicalOptions::from_json(j.at("anatomy"));
  read_field(j, "trust_familiarity", o.trust_familiarity);
  return o;
}

AnatomyTcnNetImpl::AnatomyTcnNetImpl(const ModelConfig& c) : EmgModelImpl(c), options_(model_options<AnatomyTcnOptions>(c)) {
  if (!uses_pose(c.modality)) throw std::invalid_argument("anatomy_tcn: the modality must include pose");
  const int in = c.pose_channels() + anatomy::kReleaseMuscles + (uses_keys(c.modality) ? c.num_keys : 0);
  layers_ = PoseTcnLayers(*this, in, options_.tcn, c.emg_channels);
}

torch::Tensor AnatomyTcnNetImpl::trust(const torch::Tensor& pose) const {
  const int64_t batch = pose.size(0);
  if (options_.trust_familiarity <= 0 || config().familiarity.empty()) return torch::ones({batch}, torch::kDouble);
  return (pose_familiarity(config(), pose.detach()) / options_.trust_familiarity).clamp_max(1.0);
}

torch::Tensor AnatomyTcnNetImpl::encode(const torch::Tensor& pose, const torch::Tensor& keys) {
  const ModelConfig& c = config();
  if (!pose.defined()) throw std::invalid_argument("this model needs pose input");
  const int64_t frames = pose.size(2);
  const double rate = c.pose_rate_hz;
  const torch::Tensor act = anatomical_activations(options_.anatomy, pose, rate);
  // The estimator's envelope at the EMG rate (what an unfamiliar window gets) and at the pose frames (an input).
  const torch::Tensor est = anatomical_envelope(options_.anatomy, act, rate, c.window_samples(), c.emg_rate_hz).to(pose.device());
  const torch::Tensor est_at_frames = anatomical_envelope(options_.anatomy, act, rate, frames, rate).to(pose.device());
  std::vector<torch::Tensor> inputs{normalised_pose(pose), est_at_frames};
  if (uses_keys(c.modality)) {
    if (!keys.defined()) throw std::invalid_argument("this model needs keystroke input");
    inputs.push_back(F::adaptive_avg_pool1d(keys, F::AdaptiveAvgPool1dFuncOptions(frames)));
  }
  const torch::Tensor learned = F::interpolate(
      layers_.forward(torch::cat(inputs, 1)),
      F::InterpolateFuncOptions().size(std::vector<int64_t>{c.window_samples()}).mode(torch::kLinear).align_corners(true));
  const torch::Tensor weight = trust(pose).to(pose.device(), est.scalar_type()).view({-1, 1, 1});
  return weight * learned + (1 - weight) * est;
}

PIANOKPM_REGISTER_MODEL(
    anatomy_tcn, AnatomyTcnNetImpl, AnatomyTcnOptions,
    "a pose TCN reading the anatomical estimate too, the estimate alone where the input is unfamiliar (one camera)")

}  // namespace pianokpm
