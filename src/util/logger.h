// An injected logger. Lines go to stderr by default; tests capture them. Every logger may
// be called from any thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "util/thread_annotations.h"

namespace sluice {

enum class LogLevel { debug, info, warn, error };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, const std::string& message) = 0;
  void debug(const std::string& m) { log(LogLevel::debug, m); }
  void info(const std::string& m) { log(LogLevel::info, m); }
  void warn(const std::string& m) { log(LogLevel::warn, m); }
  void error(const std::string& m) { log(LogLevel::error, m); }
};

// "sluice: warn: ..." on stderr, at or above a threshold.
class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel threshold = LogLevel::info) : threshold_(threshold) {}
  void log(LogLevel level, const std::string& message) override;

 private:
  LogLevel threshold_;
  std::mutex mu_;  // one line at a time, from any thread
};

// Keeps every line; for tests.
class MemoryLogger final : public Logger {
 public:
  void log(LogLevel level, const std::string& message) override;
  std::vector<std::string> lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_ GUARDED_BY(mu_);
};

const char* level_name(LogLevel level);

}  // namespace sluice
