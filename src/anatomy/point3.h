#pragma once
// A point or vector in 3D (any unit) and the few operations the hand's geometry needs.
#include <array>
#include <cmath>

namespace pianokpm::anatomy {

using Point3 = std::array<double, 3>;

inline Point3 sub(const Point3& a, const Point3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
inline Point3 scale(const Point3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
inline double dot(const Point3& a, const Point3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
inline Point3 cross(const Point3& a, const Point3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
// a / |a|; a zero vector stays zero.
inline Point3 normalised(const Point3& a) {
  const double len = std::sqrt(dot(a, a));
  return len > 0 ? scale(a, 1.0 / len) : a;
}

}  // namespace pianokpm::anatomy
