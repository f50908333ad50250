#pragma once
// Slows password guessing: after `max_failures` failed logins within `window_s` from one address,
// or for one user name, further attempts are refused (429) until the oldest failure leaves the
// window. Memory is bounded: at most `max_keys` addresses and names are tracked (the stalest
// dropped first).
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace pianokpm::remote {

struct LoginLimits {
  int max_failures = 5;
  double window_s = 60;
  size_t max_keys = 10000;
  void check() const;
};

class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoginLimiter(const LoginLimits& limits) : limits_(limits) { limits_.check(); }
  // Seconds until `key` may try again; 0 when it may now.
  double wait_s(const std::string& key, Clock::time_point now = Clock::now());
  void failed(const std::string& key, Clock::time_point now = Clock::now());
  void succeeded(const std::string& key);
  size_t keys() const { return failures_.size(); }

 private:
  void forget_old(std::deque<Clock::time_point>& times, Clock::time_point now) const;
  LoginLimits limits_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace pianokpm::remote
