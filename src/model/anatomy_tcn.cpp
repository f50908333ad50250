#include "model/anatomy_tcn.h"

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

torch::Tensor AnatomyTcnNetImpl::trust_of_features(const torch::Tensor& features) const {
  const int64_t batch = features.size(0);
  if (options_.trust_familiarity <= 0 || config().familiarity.empty()) return torch::ones({batch}, torch::kDouble);
  const torch::Tensor familiarity = familiarity_scores(config().familiarity, window_descriptors(features.detach()));
  return (familiarity / options_.trust_familiarity).clamp_max(1.0);
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
  const torch::Tensor weight = trust_of_features(features).to(pose.device(), est.scalar_type()).view({-1, 1, 1});
  return weight * learned + (1 - weight) * est;
}

PIANOKPM_REGISTER_MODEL(
    anatomy_tcn, AnatomyTcnNetImpl, AnatomyTcnOptions,
    "a pose TCN reading the anatomical estimate too, the estimate alone where the input is unfamiliar (one camera)")

}  // namespace pianokpm
