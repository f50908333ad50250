#include "remote/login_limiter.h"

#include <stdexcept>

namespace pianokpm::remote {

void LoginLimits::check() const {
  if (max_failures < 1) throw std::invalid_argument("login limits: max_failures must be at least 1");
  if (!(window_s > 0)) throw std::invalid_argument("login limits: window_s must be positive");
  if (max_keys < 1) throw std::invalid_argument("login limits: max_keys must be at least 1");
}

void LoginLimiter::forget_old(std::deque<Clock::time_point>& times, Clock::time_point now) const {
  const auto window = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits_.window_s));
  while (!times.empty() && now - times.front() >= window) times.pop_front();
}

double LoginLimiter::wait_s(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  forget_old(it->second, now);
  if (static_cast<int>(it->second.size()) < limits_.max_failures) return 0;
  const double since = std::chrono::duration<double>(now - it->second.front()).count();
  return limits_.window_s - since;
}

void LoginLimiter::failed(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failures_.size() >= limits_.max_keys && !failures_.count(key)) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      forget_old(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    // Still full: drop the key whose newest failure is oldest.
    while (failures_.size() >= limits_.max_keys) {
      auto stalest = failures_.begin();
      for (auto it = failures_.begin(); it != failures_.end(); ++it)
        if (it->second.back() < stalest->second.back()) stalest = it;
      failures_.erase(stalest);
    }
  }
  auto& times = failures_[key];
  forget_old(times, now);
  times.push_back(now);
  while (static_cast<int>(times.size()) > limits_.max_failures) times.pop_front();
}

void LoginLimiter::succeeded(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  failures_.erase(key);
}

}  // namespace pianokpm::remote
