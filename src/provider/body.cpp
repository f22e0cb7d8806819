#include "provider/body.h"

#include <cstdio>

#include "provider/body_stream.h"
#include "provider/http_date.h"

namespace sluice {
namespace {

// Salts, so that size, 404 share and ETag of a path are independent (the filler's is in
// body_stream.cpp, the other shares' in shares.cpp).
constexpr uint64_t kSizeSalt = 0x73697a65ull;
constexpr uint64_t kMissingSalt = 0x343034ull;
constexpr uint64_t kEtagSalt = 0x65746167ull;

bool is_png(std::string_view path) {
  if (path.size() < 4) return false;
  std::string_view ext = path.substr(path.size() - 4);
  return ext[0] == '.' && (ext[1] | 0x20) == 'p' && (ext[2] | 0x20) == 'n' &&
         (ext[3] | 0x20) == 'g';
}

}  // namespace

uint64_t body_size(const SizeSpec& spec, std::string_view path) {
  if (spec.max <= spec.min) return spec.min;
  return spec.min + mix(path_hash(path) ^ kSizeSalt) % (spec.max - spec.min + 1);
}

std::string provider_body(const SizeSpec& spec, std::string_view path) {
  const uint64_t size = body_size(spec, path);
  return ImageBodyStream(size, path).next(size);
}

std::string provider_body(const ProviderOptions& options, std::string_view path) {
  return provider_body(options.size, path);
}

std::string_view body_content_type(std::string_view path) {
  return is_png(path) ? "image/png" : "image/jpeg";
}

std::string body_etag(const SizeSpec& spec, std::string_view path) {
  char buf[24];
  uint64_t h = mix(path_hash(path) ^ kEtagSalt ^ mix(body_size(spec, path)));
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

std::string body_last_modified(std::string_view path) {
  constexpr int64_t kStart = 1'577'836'800;  // 2020-01-01T00:00:00Z
  constexpr uint64_t kSpan = 3ull * 365 * 24 * 3600;
  return http_date(kStart + static_cast<int64_t>(mix(path_hash(path)) % kSpan));
}

Reply image_reply(const SizeSpec& spec, std::string_view path) {
  Reply reply;
  reply.content_type = std::string(body_content_type(path));
  reply.body = provider_body(spec, path);
  reply.headers.emplace_back("ETag", body_etag(spec, path));
  reply.headers.emplace_back("Last-Modified", body_last_modified(path));
  return reply;
}

bool answers_404(double share, std::string_view path) {
  return in_share(share, path, kMissingSalt);
}

}  // namespace sluice
