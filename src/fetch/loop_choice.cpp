#include "fetch/loop_choice.h"

#include <algorithm>

namespace sluice {

int loop_share(int cap, size_t loops, size_t loop) {
  const int n = static_cast<int>(loops);
  const int k = static_cast<int>(loop);
  return cap / n + (k < cap % n ? 1 : 0);
}

size_t choose_loop(int cap, const std::vector<int>& busy,
                   const std::function<int(size_t)>& open_of) {
  const size_t n = busy.size();
  size_t best = n;
  bool best_idle = false;
  for (size_t k = 0; k < n; ++k) {
    if (busy[k] >= loop_share(cap, n, k)) continue;
    const bool idle = open_of(k) > busy[k];
    if (best == n || (idle && !best_idle) || (idle == best_idle && busy[k] < busy[best])) {
      best = k;
      best_idle = idle;
    }
  }
  if (best != n) return best;
  return static_cast<size_t>(std::min_element(busy.begin(), busy.end()) - busy.begin());
}

}  // namespace sluice
