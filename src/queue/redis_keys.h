// The key layout of a Redis queue (schema version 1), and the helpers that build its keys.
// The Lua scripts (redis_scripts/*.lua) build the same keys; common.lua mirrors these.
//
// BASE is RedisQueueOptions::prefix ("sluice"). Times are milliseconds since the epoch.
//
// The global slot, hash tag {queue}:
//   BASE:{queue}:version   STRING  schema version ("1"); a newer one is refused
//   BASE:{queue}:seq       STRING  the last seq given out (INCR): seqs are 1, 2, 3, ...
//   BASE:{queue}:ids       HASH    id -> seq                       (enqueue's idempotence)
//   BASE:{queue}:where     HASH    seq -> host_key, whose slot holds the job
//   BASE:{queue}:hosts     SET     every host_key that has held a job
//
// One slot per host, hash tag {HOST} (the job's host_key, "img.example:443", with '%', '{'
// and '}' percent-encoded so that the tag is exactly the host):
//   BASE:host:{HOST}:job:SEQ  HASH  one job: seq id url host state attempts nb (not_before)
//                                   owner exp (lease holder and expiry) code detail (last
//                                   error) key sha256 bytes ctype etag lm (manifest) upd
//                                   (updated_at) pending phost (a new URL and its host,
//                                   enqueued while the job is leased; queue.h)
//   BASE:host:{HOST}:ready    ZSET  queued jobs: score not_before, member the seq padded to 20
//                                   digits, so equal scores sort by seq
//   BASE:host:{HOST}:leased   ZSET  leased jobs: score lease expiry, member the padded seq
//   BASE:host:{HOST}:dead     ZSET  dead jobs: score 0, member "CODE\0PADDED_SEQ", so that
//                                   ZRANGEBYLEX walks them in (error code, seq) order
//   BASE:host:{HOST}:counts   HASH  state -> how many of the host's jobs are in it
//   BASE:host:{HOST}:dead_by  HASH  error code -> how many of the host's dead jobs have it
//
// Single-slot (one host's slot; these run on Redis Cluster as they are, and they are the
// hot path of a worker): lease_host, renew_host, reclaim_host, and apply when every
// transition of its batch is on one host; the last two touch the global slot too when a
// job's pending URL is on another host (the job moves to that host's slot). Before them the
// client reads the global slot alone (SMEMBERS hosts for lease and reclaim, HMGET where for
// apply). The reads of the dead-letter queue and of lease's and next_ready_ms's peeks are
// single-slot commands merged by the client.
// Not single-slot (the global slot and the hosts' slots in one script): enqueue (the id
// index and the seq counter with the jobs), apply of a batch that spans hosts (one
// transaction, as the Queue contract asks), replay (one transaction over every host it
// touches), stats (one consistent snapshot) and scan_page (a page of the manifest in seq
// order). They need one Redis server, and sluice refuses a Cluster node when it connects:
// running on Cluster means splitting each into a global step and per-host steps, each
// idempotent, which is not done.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice {

// BASE:{queue}
std::string redis_global_prefix(const std::string& base);
// BASE:host:{HOST}, HOST percent-encoded as described above.
std::string redis_host_prefix(const std::string& base, const std::string& host_key);
// BASE:host:{HOST}:job:SEQ
std::string redis_job_key(const std::string& host_prefix, int64_t seq);
// The member of a ready or leased set: seq padded to 20 digits.
std::string redis_seq_member(int64_t seq);
// The seq of a ready/leased member, or of a dead member (its last 20 characters); 0 if none.
int64_t redis_member_seq(std::string_view member);
// The error code of a dead member.
std::string_view redis_dead_member_code(std::string_view member);

}  // namespace sluice
