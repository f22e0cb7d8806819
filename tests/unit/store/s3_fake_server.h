// A scripted HTTP/1.1 server on 127.0.0.1 for S3 store tests: every request (method,
// target, headers, body) is recorded and answered by a handler. Keep-alive, Content-Length
// bodies and "Expect: 100-continue" are supported; one thread per connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

struct FakeRequest {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct FakeReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class FakeS3Server {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&)>;

  explicit FakeS3Server(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~FakeS3Server() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    ::close(listen_fd_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : conn_threads_) t.join();
    for (int fd : conn_fds_) ::close(fd);  // only now: no number is reused under a thread
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<FakeRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      conn_fds_.push_back(fd);
      conn_threads_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads until buf holds n bytes; false on EOF or error.
  static bool fill(int fd, std::string& buf, size_t n) {
    char chunk[65536];
    while (buf.size() < n) {
      ssize_t got = ::read(fd, chunk, sizeof chunk);
      if (got <= 0) return false;
      buf.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  static void send_all(int fd, const std::string& s) {
    for (size_t off = 0; off < s.size();) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  void serve(int fd) {
    std::string buf;
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!fill(fd, buf, buf.size() + 1)) return;
      }
      FakeRequest req;
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      req.method = first.substr(0, first.find(' '));
      req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
      for (size_t at = line_end; at != std::string::npos && at < head.size();) {
        size_t next = head.find("\r\n", at + 2);
        std::string line =
            head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(), ::tolower);
          size_t v = line.find_first_not_of(' ', colon + 1);
          req.headers[name] = v == std::string::npos ? "" : line.substr(v);
        }
        at = next;
      }
      if (req.header("expect") == "100-continue") send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n");
      size_t length = std::stoul("0" + req.header("content-length"));
      if (!fill(fd, buf, length)) return;
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      FakeReply reply = handler_(req);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
      for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(req.method == "HEAD" ? 0 : reply.body.size()) +
             "\r\n\r\n";
      if (req.method != "HEAD") out += reply.body;
      send_all(fd, out);
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> conn_threads_;
  std::vector<FakeRequest> requests_;
};

}  // namespace sluice::testing
