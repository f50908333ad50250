#pragma once
// What a model makes of raw keypoints before its first layer: the camera's pixels or the hand's
// own frame (ModelConfig::pose_frame), then the config's scale and standardisation.
//
// The hand frame, per view and frame (MediaPipe indices: 0 wrist, 5 index MCP, 9 middle MCP,
// 17 little-finger MCP):
//   - origin at the wrist, lengths in units of the hand's size s = |middle MCP - wrist|;
//   - rotated so that the wrist-to-middle-MCP direction is (0, -1) (fingers up the image);
//   - mirrored (x -> -x) when the window's hand has the other handedness: the sign of the cross
//     product of wrist->index MCP and wrist->little MCP, summed over the window's frames, so a
//     left hand reads as a right one.
// In that frame the wrist is always (0, 0) and the middle MCP (0, -1), so their four channels carry
// the hand's global motion instead: the wrist's channels its velocity (hand sizes per frame, in
// the current frame's axes), the middle MCP's the change of log size (approach, zoom) and of
// in-plane angle (radians per frame, mirrored with the hand). The first frame repeats the second's.
// By construction the result is the same for keypoints moved by any translation, positive
// scale, rotation in the image plane or mirroring (within float rounding; computed in float64).
//
// The palm frame goes one step further: each frame's keypoints in the affine frame the palm spans,
// origin at the wrist, the middle MCP at (0, -1) and the index MCP kPalmWidthPerLength to the
// right of the little MCP (c = M^-1 (p - wrist), M's columns (index MCP - little MCP) /
// kPalmWidthPerLength and wrist - middle MCP). A camera that sees the palm at a slant
// foreshortens it along one direction; for a hand small beside its distance (weak perspective)
// that is an affine map of the image, which M divides out: the palm reads square-on from any
// direction it is seen from, as a hand seen from above would. The result is the same for
// keypoints moved by any affine map of the image (translation, scale, rotation, mirroring,
// shear, stretching along one axis); what stays view-dependent is what leaves the palm's plane
// (fingers flexing towards the keys). With the MCPs fixed, three slots carry the global motion
// instead: the wrist's its velocity in the current frame's palm units, the middle MCP's and the
// little MCP's the two columns of M(t)^-1 M(t-1) - I (the frame's change: turning, approach,
// slant; the little MCP is redundant, always kPalmWidthPerLength left of the index MCP). A palm
// seen nearly edge-on (|det M| below kPalmMinDet |wrist - middle MCP|^2) is read as that slanted,
// and every value is clipped to +-kPalmFrameLimit, so a lost track stays finite.
#include <torch/torch.h>

#include <array>

#include "model/model_config.h"

namespace pianokpm {

// Keypoint slots that hold motion in the hand frame (see above).
inline constexpr int kWristKeypoint = 0, kIndexMcpKeypoint = 5, kMiddleMcpKeypoint = 9, kLittleMcpKeypoint = 17;
// The palm frame's constants: a square-on palm's width (index to little MCP) over its length
// (wrist to middle MCP), so its lengths are the hand frame's; the slant it reads no further; its bound.
inline constexpr double kPalmWidthPerLength = 0.66, kPalmMinDet = 0.05, kPalmFrameLimit = 8.0;

// pose [B, views*21*2, F] (x, y keypoint-major per view, F >= 2) -> the same shape and dtype in
// the hand frame.
torch::Tensor hand_frame(const torch::Tensor& pose);
// pose [B, views*21*2, F] -> the same shape and dtype in the palm frame.
torch::Tensor palm_frame(const torch::Tensor& pose);
// The frame a model reads (config.pose.frame), [B, C, F] -> [B, C, F]; the image frame as given.
torch::Tensor model_frame(const ModelConfig& config, const torch::Tensor& pose);

// pose [B, C, F] raw keypoints -> what the model's layers read: model_frame, then pose_scale
// (image frame only) and pose_mean/pose_std when present. Undefined stays undefined.
torch::Tensor pose_features(const ModelConfig& config, const torch::Tensor& pose);

// What multiplies tracked keypoints in pixels of a width x height image to give the units the
// model reads, {x, y}: 1 / (size * pose_scale) in the image frame (the release's 0..1
// coordinates when pose_scale is 1); 1 in the hand and palm frames, which need x and y in the same units.
std::array<double, 2> pixel_to_model_units(const ModelConfig& config, int width, int height);

// The familiarity of each window of raw pose [B, C, F] to the model of `config` -> [B] float64
// in 0..1 (model/familiarity.h). Throws std::invalid_argument when the config has no familiarity
// reference (a model trained before it existed) or reads no pose.
torch::Tensor pose_familiarity(const ModelConfig& config, const torch::Tensor& pose);

}  // namespace pianokpm
