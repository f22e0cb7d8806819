// Bytes of response bodies the engine lets wait in memory (FetchRequest::memory_limit)
// between the fetcher and the store, all transfers and puts together. A transfer takes a
// share of memory_body_max when it starts, if the budget has that much left (else its
// body goes to a temp file, as before); the share shrinks to the body's size when the
// download ends in memory, and goes back when the put is done or the job leaves.
//
// One thread (the engine's) uses a budget and its shares; a share must not outlive its
// budget.
#pragma once

#include <cstdint>
#include <utility>

namespace sluice {

class MemoryBudget {
 public:
  class Share {
   public:
    Share() = default;
    Share(Share&& o) noexcept
        : budget_(std::exchange(o.budget_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
    Share& operator=(Share&& o) noexcept {
      if (this != &o) {
        reset();
        budget_ = std::exchange(o.budget_, nullptr);
        bytes_ = std::exchange(o.bytes_, 0);
      }
      return *this;
    }
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;
    ~Share() { reset(); }

    explicit operator bool() const { return budget_ != nullptr; }
    // Keeps only `bytes` of the share (never grows it).
    void shrink_to(uint64_t bytes) {
      if (budget_ == nullptr || bytes >= bytes_) return;
      budget_->used_ -= bytes_ - bytes;
      bytes_ = bytes;
    }
    void reset() {
      if (budget_ != nullptr) budget_->used_ -= bytes_;
      budget_ = nullptr;
      bytes_ = 0;
    }

   private:
    friend class MemoryBudget;
    Share(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    uint64_t bytes_ = 0;
  };

  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // A share of `bytes`, or an empty one (false) when the budget has less than that left.
  Share take(uint64_t bytes) {
    if (bytes == 0 || bytes > limit_ - used_) return Share();
    used_ += bytes;
    return Share(this, bytes);
  }

 private:
  const uint64_t limit_;
  uint64_t used_ = 0;
};

}  // namespace sluice
