#include "store/faulty_store.h"

#include <utility>

namespace sluice {

void FaultyStore::fail_next(int count, Error error, When when) {
  next_count_ = count;
  next_ = Fault{std::move(error), when};
}

void FaultyStore::fail_if(Match match, Error error, When when) {
  match_ = std::move(match);
  matched_ = Fault{std::move(error), when};
}

void FaultyStore::fail_probes(std::function<bool()> fails, Error error) {
  probe_fails_ = std::move(fails);
  probe_error_ = std::move(error);
}

void FaultyStore::clear_faults() {
  next_count_ = 0;
  match_ = nullptr;
  probe_fails_ = nullptr;
}

Status FaultyStore::probe_spool() {
  ++probes_;
  if (probe_fails_ && probe_fails_()) return probe_error_;
  return base_->probe_spool();
}

void FaultyStore::put(PutRequest req) {
  ++puts_;
  const Fault* fault = nullptr;
  if (next_count_ > 0) {
    --next_count_;
    fault = &next_;
  } else if (match_ && match_(req)) {
    fault = &matched_;
  }
  if (!fault) return base_->put(std::move(req));
  ++injected_;
  if (fault->when == When::before) {
    failed_.push_back(PutResult{req.tag, fault->error});
    return;
  }
  replace_[req.tag] = fault->error;
  base_->put(std::move(req));
}

std::vector<PutResult> FaultyStore::poll() {
  std::vector<PutResult> out = std::exchange(failed_, {});
  for (PutResult& r : base_->poll()) {
    if (auto it = replace_.find(r.tag); it != replace_.end()) {
      // The base store's own failure wins; a success becomes the injected error.
      if (r.status.ok()) r.status = it->second;
      replace_.erase(it);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sluice
