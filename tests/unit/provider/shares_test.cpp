// Which paths get which share fault: a pure function of (flags, path), each share an
// independent draw, the first in the table's order winning.
#include "provider/shares.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "provider/body.h"

namespace sluice {
namespace {

std::string path_of(int i) { return "/img/" + std::to_string(i) + ".jpg"; }

using Share = double ProviderOptions::*;

struct Mode {
  Share share;
  PathFault fault;
};

constexpr Mode kModes[] = {
    {&ProviderOptions::share_oversize, PathFault::oversize},
    {&ProviderOptions::share_wrong_type, PathFault::wrong_type},
    {&ProviderOptions::share_410, PathFault::http_410},
    {&ProviderOptions::share_404, PathFault::http_404},
    {&ProviderOptions::share_429, PathFault::http_429},
    {&ProviderOptions::share_reset, PathFault::reset},
    {&ProviderOptions::share_short, PathFault::cut},
    {&ProviderOptions::share_drip, PathFault::drip},
};

TEST(ProviderShares, NoFlagsNoFaults) {
  ProviderOptions options;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(path_fault(options, path_of(i)), PathFault::none);
}

TEST(ProviderShares, EachShareAloneIsDeterministicAndRoughlyItsSize) {
  for (const Mode& mode : kModes) {
    ProviderOptions options;
    options.*mode.share = 0.2;
    ProviderOptions all = options;
    all.*mode.share = 1;
    int picked = 0;
    for (int i = 0; i < 10'000; ++i) {
      const PathFault f = path_fault(options, path_of(i));
      EXPECT_EQ(f, path_fault(options, path_of(i)));
      ASSERT_TRUE(f == PathFault::none || f == mode.fault) << path_fault_name(f);
      picked += f == mode.fault;
      EXPECT_EQ(path_fault(all, path_of(i)), mode.fault);
    }
    EXPECT_GT(picked, 1800) << path_fault_name(mode.fault);
    EXPECT_LT(picked, 2200) << path_fault_name(mode.fault);
  }
}

TEST(ProviderShares, TheSameShareOfTwoModesPicksDifferentPaths) {
  // With equal shares of 0.5, independent draws overlap on about a quarter of the paths;
  // one salt for both would make them coincide on all of the half.
  for (size_t a = 0; a < std::size(kModes); ++a) {
    for (size_t b = a + 1; b < std::size(kModes); ++b) {
      ProviderOptions only_a, only_b;
      only_a.*kModes[a].share = 0.5;
      only_b.*kModes[b].share = 0.5;
      int both = 0;
      for (int i = 0; i < 4000; ++i) {
        both += path_fault(only_a, path_of(i)) != PathFault::none &&
                path_fault(only_b, path_of(i)) != PathFault::none;
      }
      EXPECT_GT(both, 800) << a << " " << b;
      EXPECT_LT(both, 1200) << a << " " << b;
    }
  }
}

TEST(ProviderShares, APathInSeveralSharesGetsTheFirst) {
  ProviderOptions options;
  for (const Mode& mode : kModes) options.*mode.share = 0.5;
  std::map<PathFault, int> seen;
  for (int i = 0; i < 4000; ++i) {
    const std::string path = path_of(i);
    const PathFault f = path_fault(options, path);
    ++seen[f];
    // It is the first mode whose share, alone, picks the path.
    PathFault first = PathFault::none;
    for (const Mode& mode : kModes) {
      ProviderOptions alone;
      alone.*mode.share = 0.5;
      if (path_fault(alone, path) != PathFault::none) {
        first = mode.fault;
        break;
      }
    }
    EXPECT_EQ(f, first) << path;
  }
  EXPECT_GT(seen[PathFault::oversize], 1800);  // half
  EXPECT_GT(seen[PathFault::drip], 0);         // 1/256 of them
  EXPECT_LT(seen[PathFault::drip], 60);
}

TEST(ProviderShares, The404ShareIsStillAnswers404) {
  ProviderOptions options;
  options.share_404 = 0.3;
  for (int i = 0; i < 2000; ++i) {
    EXPECT_EQ(path_fault(options, path_of(i)) == PathFault::http_404, answers_404(0.3, path_of(i)));
  }
}

TEST(ProviderShares, NamesAreTheRuleNames) {
  EXPECT_EQ(path_fault_name(PathFault::none), "none");
  EXPECT_EQ(path_fault_name(PathFault::cut), "short");
  EXPECT_EQ(path_fault_name(PathFault::http_429), "http_429");
}

}  // namespace
}  // namespace sluice
