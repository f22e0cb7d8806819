#include "engine/retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace sluice {

int64_t parse_retry_after_ms(const std::string& value, int64_t now_ms) {
  auto begin = value.find_first_not_of(" \t");
  if (begin == std::string::npos) return 0;
  auto end = value.find_last_not_of(" \t\r\n");
  std::string v = value.substr(begin, end - begin + 1);
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (v.size() > 9) return int64_t{999'999'999} * 1000;
    return std::stoll(v) * 1000;
  }
  time_t when = curl_getdate(v.c_str(), nullptr);  // libcurl's HTTP-date parser
  if (when < 0) return 0;
  return std::max<int64_t>(0, static_cast<int64_t>(when) * 1000 - now_ms);
}

}  // namespace sluice
