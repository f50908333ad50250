#include "model/pose_front_end.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "core/stream_layout.h"

namespace pianokpm {

namespace {

constexpr int kHandKeypoints = kReleaseLayout.num_keypoints;  // the MediaPipe hand

// x, y of `v` [..., 2] in the frame whose "up" (0, -1) is the unit vector u [..., 2]:
// the rotation [[-uy, ux], [-ux, -uy]].
torch::Tensor rotate_to_hand(const torch::Tensor& v, const torch::Tensor& u) {
  const auto ux = u.select(-1, 0), uy = u.select(-1, 1), vx = v.select(-1, 0), vy = v.select(-1, 1);
  return torch::stack({-uy * vx + ux * vy, -ux * vx - uy * vy}, -1);
}

// [B, V, F-1, ...] differences -> [B, V, F, ...], the first frame repeating the second.
torch::Tensor with_first_repeated(const torch::Tensor& per_step) { return torch::cat({per_step.narrow(2, 0, 1), per_step}, 2); }

// pose [B, views*21*2, F] -> [B, V, F, 21, 2] in float64: the invariances hold to rounding only if
// the subtractions are exact enough.
torch::Tensor per_keypoint(const torch::Tensor& pose, const char* what) {
  if (pose.dim() != 3 || pose.size(1) % (kHandKeypoints * 2) != 0 || pose.size(2) < 2) {
    throw std::invalid_argument(
        fmt::format("{}: pose must be [B, views*{}, F >= 2], not {}", what, kHandKeypoints * 2, fmt::join(pose.sizes(), "x")));
  }
  const int64_t batch = pose.size(0), views = pose.size(1) / (kHandKeypoints * 2), frames = pose.size(2);
  return pose.to(torch::kDouble).view({batch, views, kHandKeypoints, 2, frames}).permute({0, 1, 4, 2, 3});
}

// [B, V, F, 21, 2] -> pose's layout [B, views*21*2, F] and dtype.
torch::Tensor to_pose_layout(const torch::Tensor& local, const torch::Tensor& pose) {
  return local.permute({0, 1, 3, 4, 2}).reshape(pose.sizes()).to(pose.scalar_type());
}

// The 2x2 matrix [[a, b], [c, d]] applied to v [..., 2] (each entry broadcast over v's leading dims).
torch::Tensor apply2(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& c, const torch::Tensor& d,
                     const torch::Tensor& v) {
  const auto vx = v.select(-1, 0), vy = v.select(-1, 1);
  return torch::stack({a * vx + b * vy, c * vx + d * vy}, -1);
}

}  // namespace

torch::Tensor hand_frame(const torch::Tensor& pose) {
  const torch::Tensor p = per_keypoint(pose, "hand_frame");  // [B, V, F, 21, 2]
  const int64_t batch = p.size(0), views = p.size(1), frames = p.size(2);
  const torch::Tensor wrist = p.select(3, kWristKeypoint);             // [B, V, F, 2]
  const torch::Tensor axis = p.select(3, kMiddleMcpKeypoint) - wrist;  // [B, V, F, 2]
  const torch::Tensor size = axis.norm(2, -1).clamp_min(1e-12);        // [B, V, F]
  const torch::Tensor up = axis / size.unsqueeze(-1);
  torch::Tensor local = rotate_to_hand((p - wrist.unsqueeze(3)) / size.unsqueeze(-1).unsqueeze(-1), up.unsqueeze(3));

  // Handedness of the window: the side the index finger lies on, seen from the little finger.
  const torch::Tensor index = local.select(3, kIndexMcpKeypoint), little = local.select(3, kLittleMcpKeypoint);
  const torch::Tensor cross = (index.select(-1, 0) * little.select(-1, 1) - index.select(-1, 1) * little.select(-1, 0)).sum(2);
  const torch::Tensor mirror = torch::where(cross < 0, -torch::ones_like(cross), torch::ones_like(cross)).view({batch, views, 1});

  // Global motion, in the current frame's axes and hand units.
  const int64_t steps = frames - 1;
  const torch::Tensor step = wrist.narrow(2, 1, steps) - wrist.narrow(2, 0, steps);
  const torch::Tensor velocity =
      rotate_to_hand(step, up.narrow(2, 1, steps)) / size.narrow(2, 1, steps).unsqueeze(-1);  // [B, V, F-1, 2]
  const torch::Tensor log_size = size.log();
  const torch::Tensor zoom = log_size.narrow(2, 1, steps) - log_size.narrow(2, 0, steps);
  const torch::Tensor angle = torch::atan2(up.select(-1, 1), up.select(-1, 0));
  const torch::Tensor turn_raw = angle.narrow(2, 1, steps) - angle.narrow(2, 0, steps);
  const torch::Tensor turn = torch::atan2(turn_raw.sin(), turn_raw.cos());  // wrapped to (-pi, pi]

  local.select(3, kWristKeypoint).copy_(with_first_repeated(velocity));
  local.select(3, kMiddleMcpKeypoint).copy_(with_first_repeated(torch::stack({zoom, turn * mirror}, -1)));
  // x of every slot mirrors with the hand: positions and velocity; the zoom in the middle MCP's x
  // slot does not, so it is multiplied back.
  local.select(-1, 0).mul_(mirror.unsqueeze(-1));
  local.select(3, kMiddleMcpKeypoint).select(-1, 0).mul_(mirror);
  return to_pose_layout(local, pose);
}

torch::Tensor palm_frame(const torch::Tensor& pose) {
  const torch::Tensor p = per_keypoint(pose, "palm_frame");  // [B, V, F, 21, 2]
  const int64_t frames = p.size(2), steps = frames - 1;
  const torch::Tensor wrist = p.select(3, kWristKeypoint);  // [B, V, F, 2]
  const torch::Tensor width = (p.select(3, kIndexMcpKeypoint) - p.select(3, kLittleMcpKeypoint)) / kPalmWidthPerLength;
  const torch::Tensor down = wrist - p.select(3, kMiddleMcpKeypoint);  // M = [width, down] as columns
  const auto wx = width.select(-1, 0), wy = width.select(-1, 1), dx = down.select(-1, 0), dy = down.select(-1, 1);
  const torch::Tensor det = wx * dy - dx * wy;
  const torch::Tensor least = (kPalmMinDet * down.square().sum(-1)).clamp_min(1e-12);
  const torch::Tensor held = torch::where(det < 0, -1.0, 1.0).to(det.options()) * torch::maximum(det.abs(), least);
  // M^-1 = [[dy, -dx], [-wy, wx]] / det, [B, V, F] each
  const torch::Tensor ia = dy / held, ib = -dx / held, ic = -wy / held, id = wx / held;
  auto inverse = [&](const torch::Tensor& v) {  // M^-1 v for v [B, V, F, K, 2]
    return apply2(ia.unsqueeze(-1), ib.unsqueeze(-1), ic.unsqueeze(-1), id.unsqueeze(-1), v);
  };
  torch::Tensor local = inverse(p - wrist.unsqueeze(3));

  // Global motion in the current frame's palm units: the wrist's step, and M(t)^-1 M(t-1) - I.
  auto now = [&](const torch::Tensor& t) { return t.narrow(2, 1, steps); };
  auto before = [&](const torch::Tensor& t) { return t.narrow(2, 0, steps); };
  const torch::Tensor step_inverse_a = now(ia), step_inverse_b = now(ib), step_inverse_c = now(ic), step_inverse_d = now(id);
  auto inverse_now = [&](const torch::Tensor& v) {  // v [B, V, F-1, 2]
    return apply2(step_inverse_a, step_inverse_b, step_inverse_c, step_inverse_d, v);
  };
  const torch::Tensor velocity = inverse_now(now(wrist) - before(wrist));
  const torch::Tensor identity_x = torch::tensor({1.0, 0.0}, p.options()), identity_y = torch::tensor({0.0, 1.0}, p.options());
  const torch::Tensor width_change = inverse_now(before(width)) - identity_x;
  const torch::Tensor down_change = inverse_now(before(down)) - identity_y;
  local.select(3, kWristKeypoint).copy_(with_first_repeated(velocity));
  local.select(3, kMiddleMcpKeypoint).copy_(with_first_repeated(width_change));
  local.select(3, kLittleMcpKeypoint).copy_(with_first_repeated(down_change));
  return to_pose_layout(local.clamp(-kPalmFrameLimit, kPalmFrameLimit), pose);
}

torch::Tensor model_frame(const ModelConfig& config, const torch::Tensor& pose) {
  switch (config.pose.frame) {
    case PoseFrame::kHand: return hand_frame(pose);
    case PoseFrame::kPalm: return palm_frame(pose);
    case PoseFrame::kImage: break;
  }
  return pose;
}

torch::Tensor pose_features(const ModelConfig& config, const torch::Tensor& pose) {
  if (!pose.defined()) return pose;
  const bool in_hand_units = config.pose.frame != PoseFrame::kImage;
  const torch::Tensor framed = model_frame(config, pose);
  const bool scaled = !in_hand_units && (config.pose.scale[0] != 1.0 || config.pose.scale[1] != 1.0);
  if (!scaled && config.pose.mean.empty()) return framed;
  // pose rows are keypoint-major x, y, x, y, ...: fold the x/y scale into one per-channel affine map
  const int64_t channels = framed.size(1);
  std::vector<double> gain(static_cast<size_t>(channels)), offset(static_cast<size_t>(channels), 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    const auto i = static_cast<size_t>(c);
    gain[i] = in_hand_units ? 1.0 : config.pose.scale[i % 2];
    if (!config.pose.mean.empty()) {
      gain[i] /= config.pose.std[i];
      offset[i] = -config.pose.mean[i] / config.pose.std[i];
    }
  }
  auto column = [&](const std::vector<double>& v) {
    return torch::tensor(v, torch::kDouble).to(framed.options()).view({1, -1, 1});
  };
  return torch::addcmul(column(offset), framed, column(gain));
}

std::array<double, 2> pixel_to_model_units(const ModelConfig& config, int width, int height) {
  if (config.pose.frame != PoseFrame::kImage) return {1.0, 1.0};
  return {1.0 / (width * config.pose.scale[0]), 1.0 / (height * config.pose.scale[1])};
}

torch::Tensor pose_familiarity(const ModelConfig& config, const torch::Tensor& pose) {
  if (!uses_pose(config.modality)) throw std::invalid_argument("familiarity: this model reads no pose");
  if (config.familiarity.empty())
    throw std::invalid_argument(
        "familiarity: this model carries no reference of its training inputs (trained before it existed)");
  return familiarity_scores(config.familiarity, window_descriptors(pose_features(config, pose)));
}

}  // namespace pianokpm
