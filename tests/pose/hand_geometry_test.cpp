// MediaPipe Hands' geometry (anchors, decoding, weighted NMS, ROI rules) and the pose track's
// resampling, against values worked out by hand from MediaPipe's published definitions.
#include <cmath>

#include "pose/hand_geometry.h"
#include "pose/palm_detector.h"
#include "pose/pose_track.h"
#include "test_support.h"

namespace pianokpm::pose {
namespace {

constexpr float kPi = 3.14159265f;

TEST(PalmAnchors, GridsAndOrder) {
  const auto a = palm_anchors();
  ASSERT_EQ(a.size(), 2016u);
  // stride 8: 24x24 cells, 2 anchors each, rows outer; then stride 16: 12x12 cells, 6 anchors each
  EXPECT_FLOAT_EQ(a[0].x, 0.5f / 24);
  EXPECT_FLOAT_EQ(a[0].y, 0.5f / 24);
  EXPECT_FLOAT_EQ(a[1].x, 0.5f / 24);
  EXPECT_FLOAT_EQ(a[2].x, 1.5f / 24);
  EXPECT_FLOAT_EQ(a[2].y, 0.5f / 24);
  EXPECT_FLOAT_EQ(a[48].x, 0.5f / 24);
  EXPECT_FLOAT_EQ(a[48].y, 1.5f / 24);
  EXPECT_FLOAT_EQ(a[1152].x, 0.5f / 12);
  EXPECT_FLOAT_EQ(a[1152].y, 0.5f / 12);
  EXPECT_FLOAT_EQ(a[2015].x, 11.5f / 12);
  EXPECT_FLOAT_EQ(a[2015].y, 11.5f / 12);
}

TEST(PalmDecoding, BoxesKeypointsAndScores) {
  torch::Tensor boxes = torch::zeros({2016, 18}), logits = torch::full({2016}, -10.f);
  // Anchor 2 (centre 1.5/24, 0.5/24): a 48x96 px box shifted by (+19.2, -9.6) px; logit 2.
  boxes[2][0] = 19.2f, boxes[2][1] = -9.6f, boxes[2][2] = 48.f, boxes[2][3] = 96.f;
  boxes[2][4] = 9.6f, boxes[2][5] = 19.2f;  // keypoint 0
  logits[2] = 2.f;
  logits[7] = 3.f, boxes[7][2] = -1.f, boxes[7][3] = 10.f;  // negative width: dropped
  const auto d = decode_palms(boxes, logits, PalmDetectorOptions{});
  ASSERT_EQ(d.size(), 1u);
  const float cx = 1.5f / 24 + 0.1f, cy = 0.5f / 24 - 0.05f;
  EXPECT_NEAR(d[0].xmin, cx - 0.125f, 1e-6);
  EXPECT_NEAR(d[0].xmax, cx + 0.125f, 1e-6);
  EXPECT_NEAR(d[0].ymin, cy - 0.25f, 1e-6);
  EXPECT_NEAR(d[0].ymax, cy + 0.25f, 1e-6);
  EXPECT_NEAR(d[0].keypoints[0].x, 1.5f / 24 + 0.05f, 1e-6);
  EXPECT_NEAR(d[0].keypoints[0].y, 0.5f / 24 + 0.1f, 1e-6);
  EXPECT_NEAR(d[0].score, 1 / (1 + std::exp(-2.f)), 1e-6);
}

TEST(WeightedNms, AveragesOverlappingBoxesByScoreAndKeepsTheBestScore) {
  PalmDetection a{0.0f, 0.0f, 1.0f, 1.0f, 0.9f, {}}, b{0.1f, 0.0f, 1.1f, 1.0f, 0.6f, {}}, far{5, 5, 6, 6, 0.7f, {}};
  a.keypoints[0] = {0.5f, 0.5f}, b.keypoints[0] = {0.6f, 0.5f};
  const auto out = weighted_nms({a, far, b}, 0.3f);  // sorted by score
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].score, 0.9f);
  EXPECT_NEAR(out[0].xmin, (0.9f * 0.0f + 0.6f * 0.1f) / 1.5f, 1e-6);
  EXPECT_NEAR(out[0].xmax, (0.9f * 1.0f + 0.6f * 1.1f) / 1.5f, 1e-6);
  EXPECT_NEAR(out[0].keypoints[0].x, (0.9f * 0.5f + 0.6f * 0.6f) / 1.5f, 1e-6);
  EXPECT_FLOAT_EQ(out[1].xmin, 5.f);
}

TEST(HandRoi, RotationIsZeroForAnUprightHand) {
  // wrist below the middle knuckle (image y grows downwards): upright, rotation 0
  EXPECT_NEAR(rotation_to_vertical({0.5f, 0.8f}, {0.5f, 0.4f}, 640, 480), 0.f, 1e-6);
  // fingers pointing right: the crop turns by +90 degrees; pointing down: +-180
  EXPECT_NEAR(rotation_to_vertical({0.4f, 0.5f}, {0.6f, 0.5f}, 640, 480), kPi / 2, 1e-6);
  EXPECT_NEAR(std::abs(rotation_to_vertical({0.5f, 0.4f}, {0.5f, 0.8f}, 640, 480)), kPi, 1e-6);
}

TEST(HandRoi, PalmRectIsShiftedTowardsTheFingersSquaredAndScaled) {
  // A 64x48 px palm box centred at (320, 240) in a 640x480 image, upright.
  PalmDetection d{0.45f, 0.45f, 0.55f, 0.55f, 0.9f, {}};
  d.keypoints[0] = {0.5f, 0.55f}, d.keypoints[2] = {0.5f, 0.45f};
  const NormRect r = roi_from_palm(d, {2.6f, 0.f, -0.5f, true}, 640, 480);
  EXPECT_NEAR(r.rotation, 0.f, 1e-6);
  EXPECT_NEAR(r.x_center, 0.5f, 1e-6);
  EXPECT_NEAR(r.y_center, 0.5f - 0.05f, 1e-6);  // half the box height up
  EXPECT_NEAR(r.width * 640, 64 * 2.6f, 1e-3);  // long side 64 px, square, x 2.6
  EXPECT_NEAR(r.height * 480, 64 * 2.6f, 1e-3);
  // Rotated by 90 degrees, the shift goes along the rotated "up".
  d.keypoints[0] = {0.45f, 0.5f}, d.keypoints[2] = {0.55f, 0.5f};
  const NormRect q = roi_from_palm(d, {2.6f, 0.f, -0.5f, true}, 640, 480);
  EXPECT_NEAR(q.rotation, kPi / 2, 1e-6);
  EXPECT_NEAR(q.x_center * 640, 320 + 0.5f * 48, 1e-3);  // -0.5 x height (48 px) along -y rotated
  EXPECT_NEAR(q.y_center, 0.5f, 1e-6);
}

TEST(HandRoi, LandmarkRectCoversTheHandInItsOwnFrame) {
  HandLandmarks h;
  // An upright hand: all 12 ROI points on a 100 x 200 px box centred at (300, 200) of 600x400.
  for (auto& p : h.points) p = {0.5f, 0.5f, 0.f};
  h.points[0] = {300 / 600.f, 300 / 400.f, 0};                            // wrist at the bottom
  for (int i : {6, 10, 14}) h.points[i] = {300 / 600.f, 100 / 400.f, 0};  // PIPs at the top
  h.points[5] = {250 / 600.f, 200 / 400.f, 0}, h.points[17] = {350 / 600.f, 200 / 400.f, 0};
  const NormRect r = roi_from_landmarks(h, {1.f, 0.f, 0.f, false}, 600, 400);
  EXPECT_NEAR(r.rotation, 0.f, 1e-6);
  EXPECT_NEAR(r.x_center * 600, 300, 1e-3);
  EXPECT_NEAR(r.y_center * 400, 200, 1e-3);
  EXPECT_NEAR(r.width * 600, 100, 1e-3);
  EXPECT_NEAR(r.height * 400, 200, 1e-3);
}

TEST(HandRoi, IouOfAxisAlignedBoxes) {
  EXPECT_FLOAT_EQ(rect_iou({0.5f, 0.5f, 0.2f, 0.2f, 0}, {0.5f, 0.5f, 0.2f, 0.2f, 1.f}), 1.f);  // rotation ignored
  EXPECT_NEAR(rect_iou({0.5f, 0.5f, 0.2f, 0.2f, 0}, {0.6f, 0.5f, 0.2f, 0.2f, 0}), 1.f / 3, 1e-6);
  EXPECT_FLOAT_EQ(rect_iou({0.1f, 0.1f, 0.1f, 0.1f, 0}, {0.9f, 0.9f, 0.1f, 0.1f, 0}), 0.f);
}

TEST(PoseTrack, ResamplesTo60HzLinearlyAndKeepsGapsAtZero) {
  PoseTrack t;
  std::array<float, 63> a{}, b{}, none{};
  for (int k = 0; k < 21; ++k) a[3 * k] = 0, a[3 * k + 1] = 10, a[3 * k + 2] = 0.9f;
  for (int k = 0; k < 21; ++k) b[3 * k] = 30, b[3 * k + 1] = 10, b[3 * k + 2] = 0.6f;
  t.add(0.0, a), t.add(0.1, b), t.add(0.2, none), t.add(0.3, b);  // 10 fps, a hand lost in frame 3
  const PoseTrack r = resample(t, 60);
  ASSERT_EQ(r.frames.size(), 19u);          // 0 .. 0.3 s at 60 Hz
  EXPECT_NEAR(r.frames[3][0], 15.f, 1e-4);  // t = 0.05 s, halfway from a to b
  EXPECT_FLOAT_EQ(r.frames[3][2], 0.6f);    // the smaller confidence
  EXPECT_FLOAT_EQ(r.frames[7][2], 0.6f);    // t = 0.117: nearer to b (0.1) than to the gap
  EXPECT_FLOAT_EQ(r.frames[11][2], 0.f);    // t = 0.183: nearer to the gap
  EXPECT_FLOAT_EQ(r.frames[18][0], 30.f);
  EXPECT_EQ(r.to_tensor().sizes().vec(), (std::vector<int64_t>{19, 21, 3}));
}

}  // namespace
}  // namespace pianokpm::pose
