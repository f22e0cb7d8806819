// A real redis-server for tests: on 127.0.0.1 and a free port, in a temporary folder of its
// own, killed when the object goes (and by the kernel if the test process dies first:
// PR_SET_PDEATHSIG). start() waits for it with a bounded poll of PING. A server that cannot
// start is a failure of the test, never a skip.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "queue/redis_address.h"

namespace sluice::testing {

class RedisServer {
 public:
  struct Options {
    bool append_only = false;        // AOF with appendfsync always: every write survives
    bool cluster = false;            // cluster-enabled yes (a node with no slots)
    std::vector<std::string> extra;  // more "--name value" arguments
  };

  // The server, or null with *why saying what went wrong (and the server's log).
  static std::unique_ptr<RedisServer> start(const Options& options, std::string* why) {
    std::unique_ptr<RedisServer> s(new RedisServer(options));
    if (s->dir_.empty()) {
      *why = "mkdtemp failed";
      return nullptr;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {  // another process may take the port
      s->port_ = free_port();
      if (s->launch(why)) return s;
    }
    return nullptr;
  }

  ~RedisServer() {
    kill_now();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  RedisAddress address() const {
    RedisAddress a;
    a.host = "127.0.0.1";
    a.port = port_;
    return a;
  }

  // Stops the server: SIGTERM (a clean shutdown) or, with crash, SIGKILL; waits for it.
  void stop(bool crash) {
    if (pid_ <= 0) return;
    ::kill(pid_, crash ? SIGKILL : SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // Starts it again on the same port and folder (so it loads its AOF).
  bool restart(std::string* why) { return launch(why); }

  // Commands, in order, through a connection of its own (SELECT db first when db != 0);
  // the last reply's text ("" for nil, the count of an array).
  std::string command(const std::vector<std::string>& args, int db = 0) const {
    redisContext* c = redisConnect("127.0.0.1", port_);
    if (!c || c->err) {
      if (c) redisFree(c);
      return "";
    }
    std::string out;
    if (db != 0) run(c, {"SELECT", std::to_string(db)});
    out = run(c, args);
    redisFree(c);
    return out;
  }

 private:
  explicit RedisServer(Options options) : options_(std::move(options)) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-redis-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) dir_ = tmpl;
  }

  static std::string run(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    std::string out;
    if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
              r->type == REDIS_REPLY_ERROR)) {
      out.assign(r->str, r->len);
    } else if (r && r->type == REDIS_REPLY_INTEGER) {
      out = std::to_string(r->integer);
    } else if (r && r->type == REDIS_REPLY_ARRAY) {
      out = std::to_string(r->elements);
    }
    if (r) freeReplyObject(r);
    return out;
  }

  static std::string binary() {
    if (const char* env = std::getenv("SLUICE_REDIS_SERVER")) return env;
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    path += ":/usr/bin:/usr/sbin:/usr/local/bin";
    std::stringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');) {
      std::string p = d + "/redis-server";
      if (!d.empty() && ::access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
  }

  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
  }

  bool pings() const {
    timeval tv{0, 200'000};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
    bool ok = false;
    if (c && !c->err) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      std::string text = r && r->str ? std::string(r->str, r->len) : "";
      // A server with a password answers NOAUTH: it is up all the same.
      ok = r && ((r->type == REDIS_REPLY_STATUS && text == "PONG") ||
                 (r->type == REDIS_REPLY_ERROR && text.rfind("NOAUTH", 0) == 0));
      if (r) freeReplyObject(r);
    }
    if (c) redisFree(c);
    return ok;
  }

  std::string log_tail() const {
    std::ifstream in(dir_ + "/redis.log");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
  }

  bool launch(std::string* why) {
    std::string bin = binary();
    if (bin.empty()) {
      *why =
          "redis-server not found on PATH (Debian package redis-server; "
          "scripts/install-deps.sh installs it)";
      return false;
    }
    std::vector<std::string> args = {bin,
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--dir",
                                     dir_,
                                     "--daemonize",
                                     "no",
                                     "--logfile",
                                     "",
                                     "--appendonly",
                                     options_.append_only ? "yes" : "no"};
    if (options_.append_only) args.insert(args.end(), {"--appendfsync", "always"});
    if (options_.cluster) args.insert(args.end(), {"--cluster-enabled", "yes"});
    args.insert(args.end(), options_.extra.begin(), options_.extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string log = dir_ + "/redis.log";
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      *why = "fork failed";
      return false;
    }
    if (pid == 0) {  // only async-signal-safe calls until exec
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      if (::chdir(dir_.c_str()) != 0) ::_exit(127);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    // A bounded readiness poll; the caller's assertions come after it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (pings()) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        *why = "redis-server on port " + std::to_string(port_) + " exited: " + log_tail();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    *why = "redis-server on port " + std::to_string(port_) +
           " did not answer PING in 20 s: " + log_tail();
    kill_now();
    return false;
  }

  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// The redis-server every test of this process shares, started at first use and killed at
// exit. Null after a failure, which is reported as a test failure each time it is asked for.
inline RedisServer* shared_redis_server() {
  static std::string why;
  static std::unique_ptr<RedisServer> server = RedisServer::start({}, &why);
  if (!server) ADD_FAILURE() << "cannot start redis-server: " << why;
  return server.get();
}

}  // namespace sluice::testing
