#include "io/array_file.h"
#include "core/input_error.h"
#include "io/growing_pickle.h"
#include "io/numpy_pickle.h"
#include "test_support.h"

#include <cstdlib>
#include <fstream>

namespace pianokpm {
namespace {

using testing::fixture;
using testing::official;

// Every fixture array is 1.5 * i in C order, shape (2, 3).
torch::Tensor expected_2x3() { return torch::arange(6, torch::kDouble).mul(1.5).reshape({2, 3}); }

void expect_error(const std::string& path, const std::string& fragment) {
  try {
    read_array(path);
    FAIL() << "no error for " << path;
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(NumpyPickle, ReadsOfficialReleaseFiles) {
  auto pose = read_array(official("performance/hand_data/keyp_top/t1_p1_1.pkl"));
  EXPECT_EQ(pose.sizes(), (std::vector<int64_t>{210, 21, 3}));
  EXPECT_EQ(pose.scalar_type(), torch::kFloat);
  auto keys = read_array(official("performance/keystroke_data/t1_p1_1.pkl"));
  EXPECT_EQ(keys.sizes(), (std::vector<int64_t>{3584, 88}));
  EXPECT_EQ(keys.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::isfinite(keys).all().item<bool>());
}

class AllProtocols : public ::testing::TestWithParam<std::string> {};

TEST_P(AllProtocols, ReadsFloat64InEveryProtocolAndNumpyVersion) {
  auto a = read_array(fixture("pickles/" + GetParam()));
  EXPECT_EQ(a.scalar_type(), torch::kDouble);
  EXPECT_TRUE(torch::equal(a, expected_2x3()));
}

INSTANTIATE_TEST_SUITE_P(Files, AllProtocols,
                         ::testing::Values("numpy_core_p2_f8.pkl", "numpy_core_p3_f8.pkl", "numpy_core_p4_f8.pkl",
                                           "numpy_core_p5_f8.pkl", "numpy__core_p2_f8.pkl", "numpy__core_p3_f8.pkl",
                                           "numpy__core_p4_f8.pkl", "numpy__core_p5_f8.pkl", "f8_bigendian_p4.pkl", "list_p2.pkl",
                                           "list_p4.pkl"));

TEST(NumpyPickle, FortranOrderIsReorderedToLogicalLayout) {
  for (const char* name : {"numpy_core_p4_f4_fortran.pkl", "numpy_core_p5_f4_fortran.pkl", "numpy__core_p4_f4_fortran.pkl",
                           "numpy__core_p5_f4_fortran.pkl"}) {
    auto a = read_array(fixture(std::string("pickles/") + name));
    EXPECT_EQ(a.scalar_type(), torch::kFloat) << name;
    EXPECT_TRUE(torch::equal(a.to(torch::kDouble), expected_2x3())) << name;
  }
}

TEST(NumpyPickle, IntegerDtypes) {
  EXPECT_TRUE(torch::equal(read_array(fixture("pickles/i4_p4.pkl")), torch::tensor({-3, -2, -1, 0, 1, 2}, torch::kInt)));
  EXPECT_TRUE(torch::equal(read_array(fixture("pickles/i8_p2.pkl")),
                           torch::tensor(std::vector<int64_t>{-3, -2, -1, 0, 1, int64_t{1} << 40})));
  EXPECT_TRUE(torch::equal(read_array(fixture("pickles/u1_p4.pkl")), torch::tensor({0, 1, 2, 127, 128, 255}, torch::kByte)));
}

TEST(NumpyPickle, RefusesCodeExecutionGlobals) {
  expect_error(fixture("pickles/exploit_os_system_p4.pkl"), "refuses to load 'posix.system'");
  expect_error(fixture("pickles/exploit_os_system_p2.pkl"), "refuses to load 'posix.system'");
}

TEST(NumpyPickle, RefusesNonNumericContent) {
  expect_error(fixture("pickles/dict_p4.pkl"), "holds a dict");
  expect_error(fixture("pickles/string_p4.pkl"), "holds a string");
  expect_error(fixture("pickles/ragged_list_p4.pkl"), "ragged");
  expect_error(fixture("pickles/object_dtype_p4.pkl"), "dtype '|O'");
  expect_error(fixture("pickles/shape_mismatch_p4.pkl"), "inconsistent array data");
}

TEST(NumpyPickle, TruncatedFilesFailCleanlyAtEveryLength) {
  const std::string bytes = testing::read_bytes(fixture("pickles/numpy_core_p4_f8.pkl"));
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(parse_numpy_pickle(bytes.substr(0, n), "cut.pkl"), InputError) << "length " << n;
  }
}

TEST(NumpyPickle, RefusesUnknownOpcodeAndOldProtocols) {
  EXPECT_THROW(parse_numpy_pickle(std::string("\x80\x01N.", 4), "p1.pkl"), InputError);
  try {
    parse_numpy_pickle(std::string("\x80\x04i.", 4), "inst.pkl");  // INST: builds arbitrary objects
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("opcode 0x69"), std::string::npos) << e.what();
  }
}

TEST(ArrayFile, MissingAndEmptyFiles) {
  expect_error("/nonexistent/pose.pkl", "file not found");
  testing::ScratchDir dir;
  testing::write_bytes(dir / "empty.npy", "");
  expect_error(dir / "empty.npy", "empty");
  testing::write_bytes(dir / "x.txt", "1,2");
  expect_error(dir / "x.txt", "unknown array format");
}

}  // namespace
}  // namespace pianokpm

namespace pianokpm {
namespace {

TEST(NumpyPickle, SelfContainingListIsRefusedWithoutLeakOrHang) {
  // Found by fuzzing: PROTO 4, EMPTY_LIST, MEMOIZE, MARK, DUP, ..., APPENDS -> a list inside itself.
  const std::string cyclic(
      "\x80\x04]\x94(2]\x94(K\nG?\xf8\x00\x99\x00\x00\x00\x06"
      "ee.",
      23);
  EXPECT_THROW(parse_numpy_pickle(cyclic, "cycle.pkl"), InputError);
}

TEST(NumpyPickle, ExponentialSharedListsAreRefused) {
  // l0 = [1.0, 1.0]; l(k+1) = [lk, lk] for 30 levels: 2^31 numbers from a few hundred bytes.
  std::string p = "\x80\x04]";
  p += std::string(
      "(G?\xf0\x00\x00\x00\x00\x00\x00"
      "2e\x94"
      "0",
      14);  // memo 0 = l0 = [1.0, 1.0], popped
  for (int level = 0; level < 30; ++level) {
    const std::string get = "h" + std::string(1, static_cast<char>(level));
    p += "](" + get + get +
         "e\x94"
         "0";  // memo level+1 = [l_level, l_level], popped
  }
  p += "h" + std::string(1, static_cast<char>(30)) + ".";
  try {
    parse_numpy_pickle(p, "bomb.pkl");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pianokpm

#include "io/numpy_pickle_writer.h"

namespace pianokpm {
namespace {

TEST(NumpyPickleWriter, ReproducesTheOfficialReleaseFilesByteForByte) {
  // A small array (one frame) and a large one (payload outside the frames).
  for (const char* name : {"performance/hand_data/keyp_top/t1_p1_1.pkl", "performance/keystroke_data/t1_p1_1.pkl",
                           "performance/emg_data/t1_p1_1.pkl"}) {
    const std::string original = testing::read_bytes(testing::official(name));
    EXPECT_TRUE(serialize_numpy_pickle(parse_numpy_pickle(original, name)) == original) << name;
  }
}

TEST(NumpyPickleWriter, RoundTripsOtherShapesAndTypes) {
  for (const auto& t : {torch::arange(7, torch::kLong), torch::randn({2, 3, 4, 5}), torch::randn({300, 70000}).narrow(0, 0, 1),
                        torch::tensor(std::vector<int32_t>{70000, -5}), torch::zeros({0, 6})}) {
    EXPECT_TRUE(torch::equal(parse_numpy_pickle(serialize_numpy_pickle(t), "x.pkl"), t));
  }
}

// GrowingPickle (io/growing_pickle.h): a recording's array that grows by appends, readable as a
// whole after every append and at every moment within one.
std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(GrowingPickle, EveryAppendLeavesOnePickleOfAllRowsSoFar) {
  testing::ScratchDir dir;
  const std::string path = dir / "emg.pkl";
  GrowingPickle file(path, {3});
  EXPECT_EQ(read_array(path).sizes(), (std::vector<int64_t>{0, 3}));
  const torch::Tensor all = torch::arange(3 * 700, torch::kFloat32).mul(0.25).reshape({700, 3});
  std::vector<std::string> states{bytes_of(path)};
  int64_t at = 0;
  for (int64_t n : {1, 34, 0, 300, 365}) {
    file.append(all.data_ptr<float>() + 3 * at, n);
    at += n;
    EXPECT_TRUE(torch::equal(read_array(path), all.slice(0, 0, at))) << at;
    states.push_back(bytes_of(path));
  }
  EXPECT_EQ(file.rows(), 700);
  // Killed within an append: the new part half written, or whole but the old ending not yet
  // turned into no-ops. Either way the file reads as before the append.
  for (size_t k = 1; k < states.size(); ++k) {
    const std::string& before = states[k - 1];
    const std::string& after = states[k];
    if (after == before) continue;
    const std::string half = before + after.substr(before.size(), (after.size() - before.size()) / 2);
    std::string unturned = after;
    unturned.replace(before.size() - 4, 4, before.substr(before.size() - 4));
    for (const std::string& cut : {half, unturned}) {
      const torch::Tensor read = parse_numpy_pickle(cut, "cut");
      EXPECT_TRUE(torch::equal(read, parse_numpy_pickle(before, "before"))) << k;
    }
  }
}

TEST(GrowingPickle, PythonAndNumpyLoadItAsOneArray) {
  // Debian's python3 (python3-numpy) even where another python3 comes first on PATH.
  std::string python;
  for (const char* p : {"/usr/bin/python3", "python3"})
    if (python.empty() && std::system((std::string(p) + " -c 'import numpy' 2>/dev/null").c_str()) == 0) python = p;
  if (python.empty()) GTEST_SKIP() << "no python3 with numpy";
  testing::ScratchDir dir;
  const std::string path = dir / "kp.pkl";
  GrowingPickle file(path, {21, 3});
  const torch::Tensor all = torch::randn({50, 21, 3});
  file.append(all.data_ptr<float>(), 20);
  file.append(all.data_ptr<float>() + 20 * 63, 30);
  std::ofstream(dir / "expected.f32", std::ios::binary)
      .write(reinterpret_cast<const char*>(all.data_ptr<float>()), static_cast<std::streamsize>(all.numel() * 4));
  const std::string check = python +
                            " -c \"import pickle, numpy as np, sys; a = pickle.load(open(sys.argv[1], 'rb')); "
                            "e = np.fromfile(sys.argv[2], '<f4').reshape(50, 21, 3); "
                            "sys.exit(0 if a.dtype == np.float32 and a.shape == (50, 21, 3) and (a == e).all() else 1)\" " +
                            path + " " + (dir / "expected.f32");
  EXPECT_EQ(std::system(check.c_str()), 0);
}

TEST(GrowingPickle, APartNamedTwiceIsRefused) {
  // numpy.concatenate([part, part]) through the memo: a small file must not expand without bound.
  testing::ScratchDir dir;
  const std::string path = dir / "one.pkl";
  {
    GrowingPickle file(path, {2});
    const float row[2] = {1, 2};
    file.append(row, 1);
  }
  std::string bytes = bytes_of(path);
  const std::string ending = bytes.substr(bytes.size() - 4);
  bytes.resize(bytes.size() - 4);
  bytes += std::string("q\x07h\x07", 4) + ending;  // BINPUT 7, BINGET 7: the last part again
  EXPECT_THROW(parse_numpy_pickle(bytes, "twice"), InputError);
}

}  // namespace
}  // namespace pianokpm
