// RedisQueue's dead-letter queue: replay and scan_dead. Each host's dead jobs are a sorted
// set whose members "CODE\0SEQ" sort in (error code, seq) order (redis_keys.h), so a reason
// filter is a ZRANGEBYLEX range and a host filter picks which hosts' sets to read; nothing
// reads jobs in other states.
#include "queue/dead_filter.h"
#include "queue/redis_queue_impl.h"

namespace sluice {
namespace {

constexpr size_t kDeadPageRows = 512;

// The ZRANGEBYLEX bounds of the dead members whose code may match.
struct LexRange {
  std::string min, max;
};

LexRange lex_range(const DeadMatch& m) {
  if (m.any_reason()) return {"-", "+"};
  const std::string nul(1, '\0');
  if (!m.exact_reason().empty()) {
    return {"[" + m.exact_reason() + nul, "(" + m.exact_reason() + "\x01"};
  }
  std::string last = m.first_reason();  // "http_500" -> "http_599"
  last[6] = last[7] = '9';
  return {"[" + m.first_reason() + nul, "(" + last + "\x01"};
}

// The digit of an http_Nxx class filter, for replay.lua; "" for none.
std::string class_digit(const DeadMatch& m) {
  if (m.any_reason() || !m.exact_reason().empty()) return "";
  return m.first_reason().substr(5, 1);
}

// One host's dead set, read in pages from `from` on.
struct Cursor {
  std::string prefix;
  std::string from;  // ZRANGEBYLEX min of the next read
  std::vector<std::string> buffer;
  size_t next = 0;         // the first member of buffer not taken yet
  bool exhausted = false;  // nothing left to read past buffer
  bool empty() const { return next >= buffer.size(); }
};

// Reads the next members of every cursor whose buffer is used up. Holds the queue's lock.
Status refill(RedisConnection& conn, std::vector<Cursor>& cursors, const std::string& max) {
  std::vector<RedisArgs> reads;
  std::vector<Cursor*> reading;
  for (Cursor& c : cursors) {
    if (!c.empty() || c.exhausted) continue;
    reads.push_back({"ZRANGEBYLEX", c.prefix + ":dead", c.from, max, "LIMIT", "0",
                     std::to_string(kDeadPageRows)});
    reading.push_back(&c);
  }
  auto replies = conn.pipeline(reads);
  if (!replies.ok()) return replies.error();
  for (size_t i = 0; i < reading.size(); ++i) {
    const redisReply* r = (*replies)[i].get();
    if (Status s = reply_error(r, "ZRANGEBYLEX", conn.address()); !s.ok()) return s;
    Cursor& c = *reading[i];
    c.buffer.clear();
    c.next = 0;
    for (size_t k = 0; k < r->elements; ++k) c.buffer.push_back(reply_text(r->element[k]));
    c.exhausted = c.buffer.size() < kDeadPageRows;
    if (!c.buffer.empty()) c.from = "(" + c.buffer.back();
  }
  return Status();
}

}  // namespace

Result<uint64_t> RedisQueue::replay(const DeadFilter& filter, int64_t now_ms) {
  if (Status s = check_replay_filter(filter); !s.ok()) return s.error();
  DeadMatch m(filter);
  LexRange range = lex_range(m);
  RedisScriptCall call{RedisScriptId::replay,
                       {impl_->global},
                       {impl_->base, std::to_string(now_ms), m.exact_reason(), class_digit(m),
                        range.min, range.max}};
  std::lock_guard lock(impl_->mu);
  RedisConnection& conn = *impl_->conn;
  if (!m.id().empty()) {
    auto seq = conn.command({"HGET", impl_->global + ":ids", m.id()});
    if (!seq.ok()) return seq.error();
    if ((*seq)->type != REDIS_REPLY_STRING) return uint64_t{0};
    auto host = conn.command({"HGET", impl_->global + ":where", reply_text(seq->get())});
    if (!host.ok()) return host.error();
    if (!m.host_matches(reply_text(host->get()))) return uint64_t{0};
    call.args.insert(call.args.end(), {"seq", reply_text(seq->get()), reply_text(host->get())});
  } else {
    auto hosts = impl_->hosts();
    if (!hosts.ok()) return hosts.error();
    call.args.push_back("hosts");
    for (const std::string& h : *hosts) {
      if (m.host_matches(h)) call.args.push_back(h);
    }
  }
  auto r = run_script(conn, call);
  if (!r.ok()) return r.error();
  return static_cast<uint64_t>(reply_int(r->get()));
}

Status RedisQueue::scan_dead(const DeadFilter& filter,
                             const std::function<bool(const JobRecord&)>& fn) {
  DeadMatch m(filter);
  std::unique_lock lock(impl_->mu);
  RedisConnection& conn = *impl_->conn;
  if (!m.id().empty()) {
    auto seq = conn.command({"HGET", impl_->global + ":ids", m.id()});
    if (!seq.ok()) return seq.error();
    if ((*seq)->type != REDIS_REPLY_STRING) return Status();
    auto host = conn.command({"HGET", impl_->global + ":where", reply_text(seq->get())});
    if (!host.ok()) return host.error();
    auto job = conn.command({"HGETALL", redis_job_key(impl_->host_prefix(reply_text(host->get())),
                                                      reply_int(seq->get()))});
    if (!job.ok()) return job.error();
    JobRecord rec = redis_record(job->get());
    lock.unlock();
    if (m.matches(rec)) fn(rec);
    return Status();
  }
  LexRange range = lex_range(m);
  std::vector<Cursor> cursors;
  auto hosts = impl_->hosts();
  if (!hosts.ok()) return hosts.error();
  for (const std::string& h : *hosts) {
    if (m.host_matches(h))
      cursors.push_back(Cursor{impl_->host_prefix(h), range.min, {}, 0, false});
  }
  lock.unlock();

  // A k-way merge of the hosts' sets, a page at a time; fn runs without the lock.
  std::vector<std::string> codes;
  std::vector<JobRecord> page;
  for (;;) {
    codes.clear();
    page.clear();
    {
      std::lock_guard relock(impl_->mu);
      std::vector<RedisArgs> reads;
      while (reads.size() < kDeadPageRows) {
        if (Status s = refill(conn, cursors, range.max); !s.ok()) return s;
        Cursor* best = nullptr;
        for (Cursor& c : cursors) {
          if (!c.empty() && (!best || c.buffer[c.next] < best->buffer[best->next])) best = &c;
        }
        if (!best) break;
        const std::string& member = best->buffer[best->next++];
        codes.emplace_back(redis_dead_member_code(member));
        reads.push_back({"HGETALL", redis_job_key(best->prefix, redis_member_seq(member))});
      }
      if (reads.empty()) return Status();
      auto jobs = conn.pipeline(reads);
      if (!jobs.ok()) return jobs.error();
      for (const RedisReply& r : *jobs) page.push_back(redis_record(r.get()));
    }
    for (size_t i = 0; i < page.size(); ++i) {
      // Skip a job that changed since its member was read (replayed, or dead again with
      // another code, under which it is listed instead).
      if (page[i].error_code != codes[i] || !m.matches(page[i])) continue;
      if (!fn(page[i])) return Status();
    }
    if (page.size() < kDeadPageRows) return Status();
  }
}

}  // namespace sluice
