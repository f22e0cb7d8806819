#include "provider/options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sluice {
namespace {

// A whole non-negative number with an optional k/m (KiB/MiB) suffix.
bool parse_bytes(std::string_view text, uint64_t* out) {
  uint64_t unit = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) unit = 1024;
  if (!text.empty() && (text.back() == 'm' || text.back() == 'M')) unit = 1024 * 1024;
  if (unit != 1) text.remove_suffix(1);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  if (n > kMaxBodyBytes / unit) return false;
  *out = n * unit;
  return true;
}

bool parse_ms(std::string_view text, double* out) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  if (!std::isfinite(v) || v < 0 || v > 3'600'000) return false;
  *out = v;
  return true;
}

// Uniform in [0, 1) from 53 random bits: the same sequence on every platform.
double unit_draw(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

bool parse_share(std::string_view text, double* out) {
  double v = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  if (!std::isfinite(v) || v < 0 || v > 1) return false;
  *out = v;
  return true;
}

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms);
  return buf;
}

}  // namespace

std::chrono::milliseconds LatencySpec::sample(std::mt19937_64& rng) const {
  double ms_value = 0;
  switch (kind) {
    case Kind::none:
      return std::chrono::milliseconds(0);
    case Kind::fixed:
      ms_value = ms;
      break;
    case Kind::exponential:
      ms_value = -ms * std::log1p(-unit_draw(rng));
      break;
    case Kind::tail:
      // One draw picks long or not, a second the exponential: both from the seeded rng.
      ms_value = unit_draw(rng) < share ? long_ms : -ms * std::log1p(-unit_draw(rng));
      break;
  }
  return std::chrono::milliseconds(std::llround(std::min(ms_value, 3'600'000.0)));
}

std::string LatencySpec::to_string() const {
  switch (kind) {
    case Kind::none:
      return "none";
    case Kind::fixed:
      return "fixed:" + format_ms(ms);
    case Kind::exponential:
      return "exp:" + format_ms(ms);
    case Kind::tail:
      return "tail:" + format_ms(ms) + ":" + format_ms(share) + ":" + format_ms(long_ms);
  }
  return "none";
}

std::string SizeSpec::to_string() const {
  if (min == max) return std::to_string(min);
  return std::to_string(min) + "-" + std::to_string(max);
}

Result<LatencySpec> parse_latency(std::string_view text) {
  const auto bad = [&] {
    return make_error(Reason::bad_input,
                      "bad latency '" + std::string(text) +
                          "': expected none, fixed:MS, exp:MEAN_MS or tail:MEAN_MS:SHARE:LONG_MS "
                          "(SHARE from 0 to 1)");
  };
  LatencySpec spec;
  if (text == "none") return spec;
  if (text.starts_with("tail:")) {
    std::string_view rest = text.substr(5);
    const size_t a = rest.find(':');
    const size_t b = a == std::string_view::npos ? a : rest.find(':', a + 1);
    if (b == std::string_view::npos || !parse_ms(rest.substr(0, a), &spec.ms) ||
        !parse_share(rest.substr(a + 1, b - a - 1), &spec.share) ||
        !parse_ms(rest.substr(b + 1), &spec.long_ms)) {
      return bad();
    }
    spec.kind = LatencySpec::Kind::tail;
    return spec;
  }
  std::string_view number = text;
  spec.kind = LatencySpec::Kind::fixed;
  if (text.starts_with("fixed:")) {
    number.remove_prefix(6);
  } else if (text.starts_with("exp:")) {
    number.remove_prefix(4);
    spec.kind = LatencySpec::Kind::exponential;
  }
  if (!parse_ms(number, &spec.ms)) return bad();
  if (spec.ms == 0) spec.kind = LatencySpec::Kind::none;
  return spec;
}

Result<SizeSpec> parse_size(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return make_error(Reason::bad_input, "bad size '" + std::string(text) + "': " + why);
  };
  const std::string expected = "expected N or MIN-MAX bytes (k, m suffixes; at most 1g)";
  SizeSpec spec;
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_bytes(text, &spec.min)) return bad(expected);
    spec.max = spec.min;
    return spec;
  }
  if (!parse_bytes(text.substr(0, dash), &spec.min) ||
      !parse_bytes(text.substr(dash + 1), &spec.max)) {
    return bad(expected);
  }
  if (spec.min > spec.max) return bad("MIN is larger than MAX");
  return spec;
}

bool is_ip_literal(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

}  // namespace sluice
