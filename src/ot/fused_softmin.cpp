#include "ot/fused_softmin.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "core/stream_layout.h"
#include "core/vector_clones.h"

namespace pianokpm {

namespace {

std::atomic<int64_t> fused_calls{0};  // fused_softmin_calls()

constexpr int64_t kRowsPerTask = 16;
constexpr int64_t kSumBlock = 256;  // float partial sums, then double

// Cephes-style expf on x <= 0: 2^n * p(r), r = x - n ln 2, |r| <= ln2 / 2. The scalar, SSE2 and
// AVX-512 versions below share these constants and perform the same operations in the same order.
constexpr float kExpFloor = -87.0f;         // below: exp underflows; keep 2^n a normal float
constexpr float kRoundShift = 12582912.0f;  // 1.5 * 2^23: adding it rounds to the nearest integer
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2High = 0.693359375f, kLn2Low = -2.12194440e-4f;  // ln 2 in two parts
constexpr float kExpPoly[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                              4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

inline float exp_nonpositive(float x) {
  x = std::max(x, kExpFloor);
  const float n = (x * kLog2e + kRoundShift) - kRoundShift;
  float r = x - n * kLn2High;
  r = r - n * kLn2Low;
  float p = kExpPoly[0];
  for (size_t i = 1; i < std::size(kExpPoly); ++i) p = p * r + kExpPoly[i];
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#ifdef __SSE2__
// exp_nonpositive on four lanes (SSE2 is the x86-64 baseline): the bit trick for 2^n keeps the
// compiler from vectorising the scalar version.
inline __m128 exp_nonpositive4(__m128 x) {
  x = _mm_max_ps(x, _mm_set1_ps(kExpFloor));
  const __m128 shift = _mm_set1_ps(kRoundShift);
  const __m128 n = _mm_sub_ps(_mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(kLog2e)), shift), shift);
  __m128 r = _mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(kLn2High)));
  r = _mm_sub_ps(r, _mm_mul_ps(n, _mm_set1_ps(kLn2Low)));
  __m128 p = _mm_set1_ps(kExpPoly[0]);
  for (size_t i = 1; i < std::size(kExpPoly); ++i) p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(kExpPoly[i]));
  p = _mm_add_ps(_mm_add_ps(_mm_mul_ps(_mm_mul_ps(p, r), r), r), _mm_set1_ps(1.0f));
  const __m128i bits = _mm_slli_epi32(_mm_add_epi32(_mm_cvtps_epi32(n), _mm_set1_epi32(127)), 23);
  return _mm_mul_ps(p, _mm_castsi128_ps(bits));
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define PIANOKPM_AVX512_SOFTMIN 1
// GCC 12's own avx512fintrin.h reads an intentionally undefined register (_mm512_undefined_*)
// and warns about it in every caller; the warning is about the compiler's header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The same on sixteen lanes, for CPUs with AVX-512 (picked at run time: the build targets SSE2).
__attribute__((target("avx512f"))) inline __m512 exp_nonpositive16(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(kExpFloor));
  const __m512 shift = _mm512_set1_ps(kRoundShift);
  const __m512 n = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), shift), shift);
  __m512 r = _mm512_sub_ps(x, _mm512_mul_ps(n, _mm512_set1_ps(kLn2High)));
  r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(kLn2Low)));
  __m512 p = _mm512_set1_ps(kExpPoly[0]);
  for (size_t i = 1; i < std::size(kExpPoly); ++i) p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(kExpPoly[i]));
  p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_mul_ps(p, r), r), r), _mm512_set1_ps(1.0f));
  const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

__attribute__((target("avx512f"))) double sum_exp_shifted_avx512(const float* z, int64_t m, float zmax, float* out) {
  double total = 0;
  const __m512 shift = _mm512_set1_ps(zmax);
  for (int64_t j0 = 0; j0 < m; j0 += kSumBlock) {
    const int64_t j1 = std::min(m, j0 + kSumBlock);
    int64_t j = j0;
    __m512 acc = _mm512_setzero_ps();
    for (; j + 16 <= j1; j += 16) {
      const __m512 v = exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(z + j), shift));
      if (out) _mm512_storeu_ps(out + j, v);
      acc = _mm512_add_ps(acc, v);
    }
    float partial = _mm512_reduce_add_ps(acc);
    for (; j < j1; ++j) {
      const float v = exp_nonpositive(z[j] - zmax);
      if (out) out[j] = v;
      partial += v;
    }
    total += partial;
  }
  return total;
}

__attribute__((target("avx512f"))) float max_of_avx512(const float* v, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  __m512 acc = _mm512_set1_ps(m);
  for (; j + 16 <= n; j += 16) acc = _mm512_max_ps(acc, _mm512_loadu_ps(v + j));
  m = _mm512_reduce_max_ps(acc);
  for (; j < n; ++j) m = std::max(m, v[j]);
  return m;
}

// Initialised before main: __builtin_cpu_init must run first there.
const bool kHaveAvx512 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") != 0;
}();
#pragma GCC diagnostic pop
#endif

// sum_j exp(z_j - zmax); each exp(z_j - zmax) is also written to out[j] when out is given.
double sum_exp_shifted(const float* z, int64_t m, float zmax, float* out = nullptr) {
#ifdef PIANOKPM_AVX512_SOFTMIN
  if (kHaveAvx512) return sum_exp_shifted_avx512(z, m, zmax, out);
#endif
  double total = 0;
  for (int64_t j0 = 0; j0 < m; j0 += kSumBlock) {
    const int64_t j1 = std::min(m, j0 + kSumBlock);
    int64_t j = j0;
    float partial = 0;
#ifdef __SSE2__
    __m128 acc = _mm_setzero_ps();
    const __m128 shift = _mm_set1_ps(zmax);
    for (; j + 4 <= j1; j += 4) {
      const __m128 v = exp_nonpositive4(_mm_sub_ps(_mm_loadu_ps(z + j), shift));
      if (out) _mm_storeu_ps(out + j, v);
      acc = _mm_add_ps(acc, v);
    }
    float lanes[4];
    _mm_storeu_ps(lanes, acc);
    partial = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
#endif
    for (; j < j1; ++j) {
      const float v = exp_nonpositive(z[j] - zmax);
      if (out) out[j] = v;
      partial += v;
    }
    total += partial;
  }
  return total;
}

// sum_j w_j v_j in float blocks accumulated in double.
PIANOKPM_VECTOR_CLONES double weighted_sum(const float* w, const float* v, int64_t m) {
  double total = 0;
  for (int64_t j0 = 0; j0 < m; j0 += kSumBlock) {
    const int64_t j1 = std::min(m, j0 + kSumBlock);
    float partial = 0;
#pragma omp simd reduction(+ : partial)
    for (int64_t j = j0; j < j1; ++j) partial += w[j] * v[j];
    total += partial;
  }
  return total;
}

inline float max_of(const float* v, int64_t n) {
#ifdef PIANOKPM_AVX512_SOFTMIN
  if (kHaveAvx512) return max_of_avx512(v, n);
#endif
  float m = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
#ifdef __SSE2__
  __m128 acc = _mm_set1_ps(m);
  for (; j + 4 <= n; j += 4) acc = _mm_max_ps(acc, _mm_loadu_ps(v + j));
  float lanes[4];
  _mm_storeu_ps(lanes, acc);
  m = std::max(std::max(lanes[0], lanes[1]), std::max(lanes[2], lanes[3]));
#endif
  for (; j < n; ++j) m = std::max(m, v[j]);
  return m;
}

// z_j = h_j - |x - y_j|^2 / (2 eps), y stored coordinate-major [D, M]. One pass over j when the
// dimension is known at compile time (the six EMG channels), so the loop vectorises.
constexpr int64_t kEmgDims = kReleaseLayout.emg_channels;

template <int64_t D>
PIANOKPM_VECTOR_CLONES void exponents_fixed_dims(const float* x, const float* y, const float* h, int64_t m, float inv_2eps,
                                                 float* z) {
  for (int64_t j = 0; j < m; ++j) {
    float sq = 0;
    for (int64_t k = 0; k < D; ++k) {
      const float diff = x[k] - y[k * m + j];
      sq += diff * diff;
    }
    z[j] = h[j] - sq * inv_2eps;
  }
}

PIANOKPM_VECTOR_CLONES void exponents_any_dims(const float* x, int64_t d, const float* y, const float* h, int64_t m,
                                               float inv_2eps, float* z) {
  std::copy(h, h + m, z);
  for (int64_t k = 0; k < d; ++k) {
    const float* yk = y + k * m;
    for (int64_t j = 0; j < m; ++j) {
      const float diff = x[k] - yk[j];
      z[j] -= diff * diff * inv_2eps;
    }
  }
}

}  // namespace

float fused_exp_nonpositive(float x) { return exp_nonpositive(x); }

int64_t fused_softmin_calls() { return fused_calls.load(std::memory_order_relaxed); }

torch::Tensor fused_softmin(double eps, const torch::Tensor& x_in, const torch::Tensor& y_in, const torch::Tensor& h_in,
                            torch::Tensor* barycentre) {
  TORCH_CHECK(x_in.scalar_type() == torch::kFloat && y_in.scalar_type() == torch::kFloat && x_in.is_cpu(),
              "fused_softmin: float32 CPU tensors");
  fused_calls.fetch_add(1, std::memory_order_relaxed);
  const auto x = x_in.contiguous(), h = h_in.contiguous();
  const auto yt = y_in.t().contiguous();  // [D, M]: one contiguous row per coordinate
  const int64_t n = x.size(0), m = y_in.size(0), d = x.size(1);
  const float* px = x.data_ptr<float>();
  const float* py = yt.data_ptr<float>();
  const float* ph = h.data_ptr<float>();
  const auto inv_2eps = static_cast<float>(0.5 / eps);
  torch::Tensor out = torch::empty({n}, x.options());
  float* po = out.data_ptr<float>();
  float* pb = nullptr;
  if (barycentre) {
    *barycentre = torch::empty({n, d}, x.options());
    pb = barycentre->data_ptr<float>();
  }
  at::parallel_for(0, n, kRowsPerTask, [&](int64_t begin, int64_t end) {
    std::vector<float> z(static_cast<size_t>(m)), weights(pb ? static_cast<size_t>(m) : 0);
    for (int64_t i = begin; i < end; ++i) {
      const float* xi = px + i * d;
      if (d == kEmgDims) {
        exponents_fixed_dims<kEmgDims>(xi, py, ph, m, inv_2eps, z.data());
      } else {
        exponents_any_dims(xi, d, py, ph, m, inv_2eps, z.data());
      }
      const float zmax = max_of(z.data(), m);
      const double total = sum_exp_shifted(z.data(), m, zmax, pb ? weights.data() : nullptr);
      po[i] = static_cast<float>(-eps * (static_cast<double>(zmax) + std::log(total)));
      if (pb) {
        for (int64_t k = 0; k < d; ++k) pb[i * d + k] = static_cast<float>(weighted_sum(weights.data(), py + k * m, m) / total);
      }
    }
  });
  return out;
}

}  // namespace pianokpm
