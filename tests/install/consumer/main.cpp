// Reads a C3D file's analog channels and runs an installed model on a second of still keypoints.
#include <iostream>

#include "io/signal_recording.h"
#include "predict/estimator.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const pianokpm::SignalRecording c3d = pianokpm::read_signals(argv[1], {});
  const pianokpm::Estimator est = pianokpm::Estimator::load(MODELS_DIR "/synthetic_top_pose.pt");
  pianokpm::PerformanceStreams streams;
  streams.pose = torch::full({60, est.config().pose_channels()}, 300.0f);
  const torch::Tensor emg = est.predict(streams).emg;
  std::cout << c3d.channels.size() << " channels at " << c3d.channels[0].rate_hz << " Hz; emg " << emg.size(0) << "x"
            << emg.size(1) << (est.synthetic() ? " (synthetic)" : "") << "\n";
  return 0;
}
