// Fault injection for engine tests, after LevelDB's FaultInjectionTestEnv: a Store that
// wraps a real one and fails chosen puts, and spool probes, with a chosen error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.h"
#include "util/error.h"

namespace sluice {

class FaultyStore final : public Store {
 public:
  enum class When {
    before,  // the put never reaches the base store: temp file kept, no object written
    after,   // the base store writes the object, then its success is reported as the
             // error: an acknowledgement lost between store and queue
  };
  using Match = std::function<bool(const PutRequest&)>;

  // Wraps base, which must outlive this wrapper (as LevelDB's EnvWrapper does) ...
  explicit FaultyStore(Store& base) : base_(&base) {}
  // ... or owns it.
  explicit FaultyStore(std::unique_ptr<Store> base)
      : owned_(std::move(base)), base_(owned_.get()) {}

  // The next `count` puts fail with error (error.reason must not be ok).
  void fail_next(int count, Error error, When when = When::before);
  // Every later put that match() accepts fails with error, until clear_faults().
  // fail_next() is consulted first.
  void fail_if(Match match, Error error, When when = When::before);
  // probe_spool() fails with error while fails() says so (checked on each probe), until
  // clear_faults(); otherwise it asks the base store.
  void fail_probes(std::function<bool()> fails, Error error);
  void clear_faults();

  int puts() const { return puts_; }          // put() calls seen
  int injected() const { return injected_; }  // of which this wrapper failed
  int probes() const { return probes_; }      // probe_spool() calls seen
  Store& base() { return *base_; }

  std::filesystem::path spool_dir() const override { return base_->spool_dir(); }
  bool takes_bodies() const override { return base_->takes_bodies(); }
  void put(PutRequest req) override;
  std::vector<PutResult> poll() override;
  size_t in_flight() const override { return failed_.size() + base_->in_flight(); }
  // The base store's puts finish on its own threads: their notifier is the base's.
  void set_notifier(std::function<void()> fn) override { base_->set_notifier(std::move(fn)); }
  Status probe_spool() override;
  Status make_durable() override { return base_->make_durable(); }
  Status clean_spool() override { return base_->clean_spool(); }
  std::string describe() const override { return "faulty " + base_->describe(); }

 private:
  struct Fault {
    Error error;
    When when = When::before;
  };

  std::unique_ptr<Store> owned_;  // null when base_ is borrowed
  Store* base_;
  int next_count_ = 0;
  Fault next_;
  Match match_;
  Fault matched_;
  std::function<bool()> probe_fails_;
  Error probe_error_;
  int puts_ = 0;
  int injected_ = 0;
  int probes_ = 0;
  std::vector<PutResult> failed_;                // `before` faults waiting for poll()
  std::unordered_map<uint64_t, Error> replace_;  // `after` faults, by tag
};

}  // namespace sluice
