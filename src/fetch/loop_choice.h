// Which fetch loop a request to a host goes to, when several loops share the host's cap
// (parallel_fetcher.h). Loop k may have loop_share(cap, loops, k) of the host's requests in
// flight; the shares add up to cap. Since a loop opens a connection only when all of its own
// are busy, it never has more connections to the host than its share either, so the loops
// together never need more than cap: a request admitted under the cap always finds a loop
// with room, and that loop either has an idle connection or may open one.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace sluice {

// cap / loops, plus one for the first cap % loops loops.
int loop_share(int cap, size_t loops, size_t loop);

// busy[k]: the host's requests in flight in loop k (busy.size() loops, at least one);
// open_of(k): its connections open in loop k now. Among the loops under their share, one
// with an idle connection (open > busy) comes first, then the fewest busy, then the lowest
// index. If every loop is at its share (more in flight than cap: a caller that did not ask
// the gate), the least busy loop.
size_t choose_loop(int cap, const std::vector<int>& busy,
                   const std::function<int(size_t)>& open_of);

}  // namespace sluice
