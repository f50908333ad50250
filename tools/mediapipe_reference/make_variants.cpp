// Writes the lossless variants of each photo as PNG (same pixels the tests make), for the
// MediaPipe reference run:  g++ -O1 -I tests make_variants.cpp $(pkg-config --cflags --libs opencv4)
//   ./a.out OUTDIR photo.jpg...   ->  OUTDIR/<photo>_<variant>.png
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <iostream>

#include "pose/image_variants.h"

int main(int argc, char** argv) {
  if (argc < 3) return 1;
  for (int i = 2; i < argc; ++i) {
    const cv::Mat image = cv::imread(argv[i], cv::IMREAD_COLOR);
    if (image.empty()) return std::cerr << "cannot read " << argv[i] << "\n", 1;
    const std::string stem = std::filesystem::path(argv[i]).stem().string();
    for (const auto& v : pianokpm::testing::image_variant_names())
      cv::imwrite(std::string(argv[1]) + "/" + stem + "_" + v + ".png", pianokpm::testing::image_variant(image, v));
  }
  return 0;
}
