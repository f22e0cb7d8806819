// loop_choice: the shares of a host's cap, the order of preference, and a randomized model
// of several loops under one gate, checking that the fence never has to refuse a socket.
#include "fetch/loop_choice.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace sluice {
namespace {

TEST(LoopChoiceTest, SharesAddUpToTheCapAndDifferByOneAtMost) {
  for (int cap = 1; cap <= 40; ++cap) {
    for (size_t loops = 1; loops <= 6; ++loops) {
      int sum = 0, lo = cap, hi = 0;
      for (size_t k = 0; k < loops; ++k) {
        const int s = loop_share(cap, loops, k);
        sum += s;
        lo = std::min(lo, s);
        hi = std::max(hi, s);
      }
      EXPECT_EQ(sum, cap) << cap << " over " << loops;
      EXPECT_LE(hi - lo, 1) << cap << " over " << loops;
    }
  }
  EXPECT_EQ(loop_share(1, 3, 0), 1);  // a cap of 1 goes to the first loop only
  EXPECT_EQ(loop_share(1, 3, 1), 0);
  EXPECT_EQ(loop_share(5, 2, 0), 3);
  EXPECT_EQ(loop_share(5, 2, 1), 2);
}

TEST(LoopChoiceTest, AnIdleConnectionComesFirstThenTheFewestBusy) {
  // Loop 0 is less busy, loop 1 has an idle connection: loop 1.
  EXPECT_EQ(choose_loop(8, {0, 1}, [](size_t k) { return k == 1 ? 2 : 0; }), 1u);
  // No idle connection anywhere: the fewest busy.
  EXPECT_EQ(choose_loop(8, {2, 1}, [](size_t k) { return k == 0 ? 2 : 1; }), 1u);
  // A tie: the lowest index.
  EXPECT_EQ(choose_loop(8, {1, 1}, [](size_t) { return 1; }), 0u);
  // Loop 0 has an idle connection but is at its share (4 of 8 over 2): loop 1.
  EXPECT_EQ(choose_loop(8, {4, 0}, [](size_t k) { return k == 0 ? 4 : 0; }), 1u);
  // Every loop at its share: the least busy.
  EXPECT_EQ(choose_loop(3, {2, 1}, [](size_t) { return 0; }), 1u);
}

// A model of N loops sharing a host's cap behind a gate: the gate admits while fewer than
// cap requests are counted; a loop reuses one of its idle connections or opens one, which
// the gate's fence allows only while fewer than cap are open. A request's connection goes
// idle when its transfer ends, but the request is counted (by the gate and by the loop
// choice) until its result is collected; idle connections are closed by the server at
// random. The fence must never have to refuse, and no loop may take more than its share
// (either of the choice's two rules keeps the fence; the shares also spread the load).
TEST(LoopChoiceTest, ModelOfLoopsUnderOneGateNeverMeetsTheFence) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 400; ++round) {
    const size_t loops = 1 + rng() % 5;
    const int cap = 1 + static_cast<int>(rng() % 16);
    std::vector<int> counted(loops, 0);  // requests started, not collected
    std::vector<int> running(loops, 0);  // requests whose transfer has not ended
    std::vector<int> open(loops, 0);     // connections: running ones plus idle ones
    std::vector<int> ended(loops, 0);    // ended, not collected
    auto total = [](const std::vector<int>& v) { return std::accumulate(v.begin(), v.end(), 0); };
    for (int step = 0; step < 2000; ++step) {
      const size_t k = rng() % loops;
      switch (rng() % 4) {
        case 0:  // admit and start one
          if (total(counted) < cap) {
            const size_t c = choose_loop(cap, counted, [&](size_t j) { return open[j]; });
            ASSERT_LT(c, loops);
            if (open[c] == running[c]) {  // no idle connection in that loop: open one
              ASSERT_LT(total(open), cap) << "the fence refuses: round " << round << " step "
                                          << step << ", " << loops << " loops, cap " << cap;
              ++open[c];
            }
            ++counted[c];
            ++running[c];
            // The load spreads: no loop has more than its share.
            ASSERT_LE(counted[c], loop_share(cap, loops, c)) << "round " << round;
          }
          break;
        case 1:  // a transfer ends: its connection goes idle
          if (running[k] > 0) {
            --running[k];
            ++ended[k];
          }
          break;
        case 2:  // a result is collected
          if (ended[k] > 0) {
            --ended[k];
            --counted[k];
          }
          break;
        case 3:  // the server closes an idle connection
          if (open[k] > running[k]) --open[k];
          break;
      }
    }
  }
}

}  // namespace
}  // namespace sluice
