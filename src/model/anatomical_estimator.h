#pragma once
// The anatomical estimator (architecture "anatomical"): muscle activity from a camera's keypoints
// through the musculoskeletal hand of anatomy/, with no EMG and no training.
//
// Per window, from the first view's 2D keypoints [F frames]:
//   1. The hand in millimetres: the image scaled so that wrist -> knuckle is palm_length_mm, a
//      left hand (or a mirrored view) mirrored to a right one; the palm taken as parallel to the
//      image, each phalanx's depth from its foreshortening against an average hand's proportions,
//      flexion towards the palm.
//   2. Joint angles (anatomy/hand_angles.h); each finger's push on its key inferred from how far it
//      flexes beyond the median of the other three, the thumb's from its palmar abduction (keys,
//      when given, are not needed and not read).
// Every step looks at one frame and its neighbours only, so windows join without seams.
//   3. Joint torques and static optimisation (anatomy/muscle_activity.h): activations of the six.
//   4. Envelope = tonic + effort_over_optimum * activation one electromechanical delay later,
//      resampled to the EMG rate, clipped to 0..1.
// A camera's placement, scale, in-plane angle and mirroring change nothing (steps 1-2 divide them
// out). Names: none (no parameters).
#include "model/emg_model.h"
#include "model/model_options.h"

namespace pianokpm {

struct AnatomicalOptions {
  double palm_length_mm = 87.0;      // an adult's wrist to knuckle, mean over the four fingers
  double push_n_per_rad = 15.0;      // fingertip push per radian of flexion beyond the others'
  double effort_over_optimum = 2.5;  // pianists use more than the least activation (as simulator 3)
  double tonic = 0.045;              // resting envelope level
  double electromechanical_delay_s = 0.05;

  void check(const StreamLayout& layout) const;
  nlohmann::json to_json() const;
  static AnatomicalOptions from_json(const nlohmann::json& j);
};

// Steps 1-3: pose [B, C, F] raw keypoints (the first view's 21 read) at pose_rate_hz ->
// [B, 6, F] float64 activations 0..1 of the six muscles (muscle_names() order) at each pose frame;
// a window without a hand gives zeros.
torch::Tensor anatomical_activations(const AnatomicalOptions& options, const torch::Tensor& pose, double pose_rate_hz);

// Step 4: activations [B, 6, F] at pose_rate_hz -> envelopes [B, 6, samples] float32 at emg_rate_hz.
torch::Tensor anatomical_envelope(const AnatomicalOptions& options, const torch::Tensor& activations, double pose_rate_hz,
                                  int64_t samples, double emg_rate_hz);

class AnatomicalEstimatorImpl : public EmgModelImpl {
 public:
  explicit AnatomicalEstimatorImpl(const ModelConfig& config);
  torch::Tensor encode(const torch::Tensor& pose, const torch::Tensor& keys) override;  // the EMG
  // Nothing to fit: the trainer's closed-form call only records the config.
  bool fits_in_closed_form() const override { return true; }
  void fit_closed_form(const std::vector<torch::Tensor>& /*emg*/) override {}
  bool streams() const override { return true; }
  torch::Tensor stream_tail(const torch::Tensor& pose, const torch::Tensor& keys, int64_t samples,
                            const torch::Tensor& previous_emg) override;

 private:
  AnatomicalOptions options_;
};

}  // namespace pianokpm
