#include "queue/redis_keys.h"

#include <cstdio>

namespace sluice {
namespace {

constexpr size_t kSeqDigits = 20;

}  // namespace

std::string redis_global_prefix(const std::string& base) { return base + ":{queue}"; }

std::string redis_host_prefix(const std::string& base, const std::string& host_key) {
  std::string out = base + ":host:{";
  for (char c : host_key) {
    if (c == '%' || c == '{' || c == '}') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "}";
}

std::string redis_job_key(const std::string& host_prefix, int64_t seq) {
  return host_prefix + ":job:" + std::to_string(seq);
}

std::string redis_seq_member(int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(seq));
  return buf;
}

int64_t redis_member_seq(std::string_view member) {
  if (member.size() < kSeqDigits) return 0;
  int64_t seq = 0;
  for (char c : member.substr(member.size() - kSeqDigits)) {
    if (c < '0' || c > '9') return 0;
    seq = seq * 10 + (c - '0');
  }
  return seq;
}

std::string_view redis_dead_member_code(std::string_view member) {
  if (member.size() <= kSeqDigits) return {};
  return member.substr(0, member.size() - kSeqDigits - 1);
}

}  // namespace sluice
