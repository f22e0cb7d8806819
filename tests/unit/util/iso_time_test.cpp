#include "util/iso_time.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(IsoTime, MillisecondsInUtc) {
  EXPECT_EQ(iso_time(1764105814493), "2025-11-25T21:23:34.493Z");
  EXPECT_EQ(iso_time(1000), "1970-01-01T00:00:01.000Z");
}

TEST(IsoTime, NeverSetIsEmpty) {
  EXPECT_EQ(iso_time(0), "");
  EXPECT_EQ(iso_time(-5), "");
}

}  // namespace
}  // namespace sluice
