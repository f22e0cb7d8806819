#include "util/logger.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(MemoryLogger, KeepsLinesWithLevel) {
  MemoryLogger log;
  log.info("hello");
  log.warn("careful");
  log.log(LogLevel::error, "broken");
  log.debug("detail");
  auto lines = log.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "info: hello");
  EXPECT_EQ(lines[1], "warn: careful");
  EXPECT_EQ(lines[2], "error: broken");
  EXPECT_EQ(lines[3], "debug: detail");
}

TEST(LevelName, Names) {
  EXPECT_STREQ(level_name(LogLevel::debug), "debug");
  EXPECT_STREQ(level_name(LogLevel::info), "info");
  EXPECT_STREQ(level_name(LogLevel::warn), "warn");
  EXPECT_STREQ(level_name(LogLevel::error), "error");
}

}  // namespace
}  // namespace sluice
