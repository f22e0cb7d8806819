#include "provider/body.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace sluice {
namespace {

// splitmix64: a tiny, fully specified generator; its output is the same everywhere.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Salts, so that size, 404 share and filler bytes of a path are independent.
constexpr uint64_t kSizeSalt = 0x73697a65ull;
constexpr uint64_t kMissingSalt = 0x343034ull;
constexpr uint64_t kFillSalt = 0x66696c6cull;
constexpr uint64_t kEtagSalt = 0x65746167ull;

bool is_png(std::string_view path) {
  if (path.size() < 4) return false;
  std::string_view ext = path.substr(path.size() - 4);
  return ext[0] == '.' && (ext[1] | 0x20) == 'p' && (ext[2] | 0x20) == 'n' &&
         (ext[3] | 0x20) == 'g';
}

uint32_t crc32(const unsigned char* data, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

void put_be32(unsigned char* p, uint32_t v) {
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
}

// clang-format off
// PNG signature and a complete IHDR chunk (640x480, 8-bit RGB).
std::array<unsigned char, 33> png_header() {
  std::array<unsigned char, 33> h = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                     0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  put_be32(&h[16], 640);
  put_be32(&h[20], 480);
  h[24] = 8;  // bit depth
  h[25] = 2;  // colour type: RGB
  put_be32(&h[29], crc32(&h[12], 17));
  return h;
}

constexpr std::array<unsigned char, 12> kPngTrailer = {0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                                       0xae, 0x42, 0x60, 0x82};

// SOI and a JFIF APP0 segment (version 1.1, 1:1 aspect, no thumbnail).
constexpr std::array<unsigned char, 20> kJpegHeader = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F',
    0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
constexpr std::array<unsigned char, 2> kJpegTrailer = {0xff, 0xd9};
// clang-format on

template <size_t H, size_t T>
void frame(std::string* body, const std::array<unsigned char, H>& header,
           const std::array<unsigned char, T>& trailer) {
  std::memcpy(body->data(), header.data(), std::min(H, body->size()));
  if (body->size() >= H + T) std::memcpy(body->data() + body->size() - T, trailer.data(), T);
}

}  // namespace

uint64_t path_hash(std::string_view path) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t body_size(const SizeSpec& spec, std::string_view path) {
  if (spec.max <= spec.min) return spec.min;
  return spec.min + mix(path_hash(path) ^ kSizeSalt) % (spec.max - spec.min + 1);
}

std::string provider_body(const SizeSpec& spec, std::string_view path) {
  std::string body(body_size(spec, path), '\0');
  uint64_t state = path_hash(path) ^ kFillSalt;
  for (size_t i = 0; i < body.size(); i += 8) {
    state = mix(state);
    uint64_t word = state;
    for (size_t k = i; k < std::min(i + 8, body.size()); ++k, word >>= 8) {
      body[k] = static_cast<char>(word & 0xff);
    }
  }
  if (is_png(path)) {
    frame(&body, png_header(), kPngTrailer);
  } else {
    frame(&body, kJpegHeader, kJpegTrailer);
  }
  return body;
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
  std::time_t t = static_cast<std::time_t>(kStart + mix(path_hash(path)) % kSpan);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Names spelled out: strftime's %a and %b follow the locale, HTTP dates must not.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool answers_404(double share, std::string_view path) {
  if (share <= 0) return false;
  double u = static_cast<double>(mix(path_hash(path) ^ kMissingSalt) >> 11) * 0x1.0p-53;
  return u < share;
}

}  // namespace sluice
