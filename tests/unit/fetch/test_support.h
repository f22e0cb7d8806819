// Helpers for fetcher tests: a cpp-httplib provider on 127.0.0.1 (ephemeral port), a route
// that holds requests, an observer that counts connections per host, and a wait() loop;
// temp folders and files come from util/temp_files.h.
#pragma once

#include <httplib.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "util/temp_files.h"

namespace sluice::testing {

// Set routes on http(), then start(). Stops and joins in the destructor.
class TestServer {
 public:
  explicit TestServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
                      size_t threads = 64)
      : server_(std::move(server)) {
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }
  ~TestServer() {
    if (thread_.joinable()) {
      // stop() only acts on a running server.
      while (!server_->is_running() && !finished_) std::this_thread::yield();
      server_->stop();
      thread_.join();
    }
  }
  httplib::Server& http() { return *server_; }
  // The socket listens once bind_to_any_port returns, so clients may connect at once.
  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] {
      server_->listen_after_bind();
      finished_ = true;
    });
  }
  int port() const { return port_; }
  std::string host_key() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path, const char* scheme = "http") const {
    return std::string(scheme) + "://" + host_key() + path;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  // Atomic: another server's handler thread may read it (a redirect to this server), and
  // what orders that read after start() is a socket, which ThreadSanitizer cannot see.
  std::atomic<int> port_{0};
};

// A latch handlers block on until the test opens it (or the test ends).
class Latch {
 public:
  ~Latch() { open(); }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A route that keeps every request until the test calls release() (or the test ends),
// counting the requests it holds. Declare it after the server it is installed on, so that
// it releases them before the server stops.
class HoldRoute {
 public:
  void install(httplib::Server& http, const std::string& path = "/hold") {
    http.Get(path, [this](const httplib::Request&, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        ++held_;
      }
      latch_.wait();
      res.set_content("late", "text/plain");
    });
  }
  void release() { latch_.open(); }
  // Drives f until the route holds n requests (true), or 20 s passed; f must return no
  // result meanwhile.
  bool until_held(Fetcher& f, int n);

 private:
  std::mutex mu_;
  int held_ = 0;
  Latch latch_;
};

// Counts connection events per host; the fetcher calls it on the test's thread.
class CountingObserver final : public ConnectionObserver {
 public:
  bool connection_opening(const std::string& host_key) override {
    ++asked[host_key];
    if (!allow) return false;
    ++opens[host_key];
    ++open_now[host_key];
    return true;
  }
  void connection_closed(const std::string& host_key) override {
    ++closes[host_key];
    if (--open_now[host_key] < 0) ++unmatched_closes;
  }
  int total_asked() const { return sum(asked); }
  int total_open_now() const { return sum(open_now); }

  bool allow = true;
  std::map<std::string, int> asked, opens, closes, open_now;
  int unmatched_closes = 0;

 private:
  static int sum(const std::map<std::string, int>& m) {
    int n = 0;
    for (const auto& [k, v] : m) n += v;
    return n;
  }
};

// Deterministic bytes (all 256 values) for bodies.
inline std::string make_body(size_t size, uint32_t seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// Hex SHA-256 computed here, independently of the fetcher's streaming hasher.
inline std::string reference_sha256(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::ostringstream out;
  static const char* hex = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) out << hex[md[i] >> 4] << hex[md[i] & 15];
  return out.str();
}

// Calls wait() until n results arrived or the deadline passed.
inline std::vector<FetchResult> drain(Fetcher& f, size_t n,
                                      std::chrono::seconds limit = std::chrono::seconds(30)) {
  std::vector<FetchResult> out;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& r : f.wait(std::chrono::milliseconds(200))) out.push_back(std::move(r));
  }
  return out;
}

inline bool HoldRoute::until_held(Fetcher& f, int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mu_);
      if (held_ >= n) return true;
    }
    if (!f.wait(std::chrono::milliseconds(20)).empty()) return false;  // none may finish
  }
  return false;
}

inline FetchResult fetch_one(Fetcher& f, const std::string& url,
                             const std::filesystem::path& temp_file, uint64_t tag = 1,
                             bool close_when_done = false, uint64_t memory_limit = 0) {
  f.start(FetchRequest{tag, url, "", temp_file, close_when_done, memory_limit});
  auto results = drain(f, 1);
  if (results.size() != 1) {
    FetchResult r;
    r.error = make_error(Reason::internal, "test: no result within the deadline");
    return r;
  }
  return std::move(results[0]);
}

inline FetchOptions local_options() {
  FetchOptions o;
  o.allow_private = true;
  o.connect_timeout_ms = 5'000;
  o.total_timeout_ms = 20'000;
  return o;
}

}  // namespace sluice::testing
