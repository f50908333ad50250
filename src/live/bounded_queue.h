#pragma once
// A queue between two pipeline threads with a fixed capacity and an explicit policy when full:
// drop the oldest item (live sources: latency must not grow, the drop is counted) or block the
// producer (a file read as fast as possible: every frame is processed).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace pianokpm::live {

enum class WhenFull { kDropOldest, kBlock };

template <class T>
class BoundedQueue {
 public:
  BoundedQueue(size_t capacity, WhenFull policy) : capacity_(capacity < 1 ? 1 : capacity), policy_(policy) {}

  // False once closed (the item is discarded).
  bool push(T item) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (policy_ == WhenFull::kBlock) not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    if (items_.size() >= capacity_) {
      items_.pop_front();
      ++dropped_;
    }
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until an item arrives; nothing once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // Producers stop; consumers drain what is left.
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  int64_t dropped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dropped_;
  }

 private:
  const size_t capacity_;
  const WhenFull policy_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
  int64_t dropped_ = 0;
};

}  // namespace pianokpm::live
