#include "fetch/socket_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sluice {

SocketLoop::SocketLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!epoll_.valid() || !wake_.valid()) {
    throw std::runtime_error(std::string("fetcher event loop: ") + std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_.get();
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev) != 0) {
    throw std::runtime_error(std::string("fetcher event loop: epoll_ctl: ") + std::strerror(errno));
  }
}

Status SocketLoop::attach(CURLM* multi) {
  timeout_at_.reset();  // the new handle has asked for nothing yet
  if (curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &SocketLoop::on_socket) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &SocketLoop::on_timer) != CURLM_OK ||
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this) != CURLM_OK) {
    return make_error(Reason::internal, "libcurl refused the socket or timer callback");
  }
  return {};
}

void SocketLoop::detach(CURLM* multi) {
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, nullptr);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, nullptr);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, nullptr);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, nullptr);
}

int SocketLoop::on_socket(CURL*, curl_socket_t s, int what, void* loop, void*) {
  static_cast<SocketLoop*>(loop)->watch(s, what);
  return 0;
}

int SocketLoop::on_timer(CURLM*, long timeout_ms, void* loop) {
  auto* self = static_cast<SocketLoop*>(loop);
  if (timeout_ms < 0) {
    self->timeout_at_.reset();
  } else {
    self->timeout_at_ = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

SocketLoop::Watch& SocketLoop::watch_of(curl_socket_t s) {
  const auto i = static_cast<size_t>(s);
  if (i >= watches_.size()) watches_.resize(i + 1);
  return watches_[i];
}

void SocketLoop::watch(curl_socket_t s, int what) {
  if (s < 0) return;
  const uint32_t events = what == CURL_POLL_REMOVE ? kNotInSet
                                                   : ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
                                                         ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  Watch& w = watch_of(s);
  w.want = events;
  if (!w.owned) {  // may have been closed and made again behind our back: change it now
    change(s, events, kUnknown);
    w.in_set = events;
    return;
  }
  if (!w.queued) {
    w.queued = true;
    changed_.push_back(s);
  }
}

// A socket just made is in no epoll set, whatever its number was before; closing one drops
// it from the set. Either way the entry starts over (staying in changed_ if it is there).
void SocketLoop::renew(Watch& w, bool owned) {
  w.want = w.in_set = kNotInSet;
  w.owned = owned;
}

void SocketLoop::opened(curl_socket_t s) {
  if (s >= 0) renew(watch_of(s), true);
}

void SocketLoop::closed(curl_socket_t s) {
  if (s >= 0 && static_cast<size_t>(s) < watches_.size()) {
    renew(watches_[static_cast<size_t>(s)], false);
  }
}

// in_set kUnknown: the socket may have been closed behind the set's back (and left it), and
// its number may be another socket now: a MOD that finds nothing falls back to ADD, an ADD
// that finds one to MOD.
void SocketLoop::change(curl_socket_t s, uint32_t events, uint32_t in_set) {
  if (events == in_set) return;
  if (events == kNotInSet) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, s, nullptr);  // may be closed already
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = s;
  const int first = in_set == kNotInSet ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;  // kUnknown: MOD
  if (::epoll_ctl(epoll_.get(), first, s, &ev) == 0) return;
  if (first == EPOLL_CTL_MOD && errno == ENOENT) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, s, &ev);
  } else if (first == EPOLL_CTL_ADD && errno == EEXIST) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, s, &ev);
  }
}

void SocketLoop::apply_changes(bool removals) {
  size_t kept = 0;
  for (curl_socket_t s : changed_) {
    Watch& w = watches_[static_cast<size_t>(s)];
    if (!removals && w.want == kNotInSet && w.in_set != kNotInSet) {
      changed_[kept++] = s;
      continue;
    }
    w.queued = false;
    change(s, w.want, w.in_set);
    w.in_set = w.want;
  }
  changed_.resize(kept);
}

CURLMcode SocketLoop::run_due_timeout(CURLM* multi) {
  if (!timeout_at_ || Clock::now() < *timeout_at_) return CURLM_OK;
  timeout_at_.reset();  // libcurl sets the next one from inside the call
  int running = 0;
  return curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

bool SocketLoop::wait(CURLM* multi, int timeout_ms, CURLMcode* error) {
  apply_changes(true);
  return wait_events(multi, timeout_ms, error);
}

bool SocketLoop::poll_ready(CURLM* multi, CURLMcode* error) {
  apply_changes(false);
  return wait_events(multi, 0, error);
}

bool SocketLoop::wait_events(CURLM* multi, int timeout_ms, CURLMcode* error) {
  std::array<epoll_event, 64> events;
  const int n =
      ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
  bool woken = false;
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == wake_.get()) {
      uint64_t count = 0;
      while (::read(wake_.get(), &count, sizeof count) > 0) {
      }
      woken = true;
      continue;
    }
    if (static_cast<size_t>(fd) < watches_.size() && watches_[static_cast<size_t>(fd)].owned &&
        watches_[static_cast<size_t>(fd)].want == kNotInSet) {
      continue;  // libcurl stopped watching it; still in the set until the next wait()
    }
    const uint32_t e = events[i].events;
    int mask = 0;
    if (e & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (e & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (e & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    int running = 0;
    if (CURLMcode mc = curl_multi_socket_action(multi, fd, mask, &running); mc != CURLM_OK) {
      *error = mc;
    }
  }
  return woken;
}

void SocketLoop::wakeup() {
  const uint64_t one = 1;
  // A full counter (2^64 - 2 wakeups unread) still wakes the reader: nothing to handle.
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

}  // namespace sluice
