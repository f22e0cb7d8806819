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
    case Kind::exponential: {
      // Inverse transform on 53 random bits: the same sequence on every platform.
      double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
      ms_value = -ms * std::log1p(-u);
      break;
    }
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
  }
  return "none";
}

std::string SizeSpec::to_string() const {
  if (min == max) return std::to_string(min);
  return std::to_string(min) + "-" + std::to_string(max);
}

Result<LatencySpec> parse_latency(std::string_view text) {
  const auto bad = [&] {
    return make_error(Reason::bad_input, "bad latency '" + std::string(text) +
                                             "': expected none, fixed:MS or exp:MEAN_MS");
  };
  LatencySpec spec;
  if (text == "none") return spec;
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
