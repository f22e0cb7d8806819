#include "util/logger.h"

#include <cstdio>

namespace sluice {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

void StderrLogger::log(LogLevel level, const std::string& message) {
  if (level < threshold_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "sluice: %s: %s\n", level_name(level), message.c_str());
}

void MemoryLogger::log(LogLevel level, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.push_back(std::string(level_name(level)) + ": " + message);
}

std::vector<std::string> MemoryLogger::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

}  // namespace sluice
