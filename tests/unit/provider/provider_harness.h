// Helpers for the provider's socket tests: a provider serving on its own thread, its
// /__stats read over the control port, and plain client connections that speak HTTP/1.1
// through Beast, so a test decides exactly how many sockets are open and when.
#pragma once

#include <httplib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
// GCC 12 with -fsanitize reports a false -Wmaybe-uninitialized inside Beast's response
// parser (a boost::optional it reads only when set); silence it for Beast's own lines.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http/read.hpp>
#pragma GCC diagnostic pop
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "provider/provider.h"
#include "util/logger.h"

namespace sluice::provider_test {

using Json = nlohmann::json;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

class RunningProvider {
 public:
  explicit RunningProvider(ProviderOptions options) : provider_(std::move(options), logger_) {
    if (Status s = provider_.start(); !s) throw std::runtime_error(s.error().to_string());
    provider_.run_in_thread();
  }

  int port() const { return provider_.port(); }
  int control_port() const { return provider_.control_port(); }

  // GET /__stats on the control port; null when it does not answer 200.
  Json stats() const {
    httplib::Client client("127.0.0.1", control_port());
    auto res = client.Get("/__stats");
    if (!res || res->status != 200) return Json();
    return Json::parse(res->body);
  }

  // Polls /__stats until `ready` holds or `deadline` passes: a readiness check for things
  // the provider does on its own thread. Returns the last stats seen.
  Json wait_for(const std::function<bool(const Json&)>& ready,
                std::chrono::milliseconds deadline = std::chrono::seconds(10)) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    Json s = stats();
    while (!(s.is_object() && ready(s)) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
      s = stats();
    }
    return s;
  }

  Json wait_for_open(int64_t n) const {
    return wait_for([n](const Json& s) { return s["open_connections"] == n; });
  }
  Json wait_for_in_flight(int64_t n) const {
    return wait_for([n](const Json& s) { return s["in_flight"] == n; });
  }

  // POST /__reset on the control port.
  bool reset() const {
    httplib::Client client("127.0.0.1", control_port());
    auto res = client.Post("/__reset", "", "text/plain");
    return res && res->status == 200;
  }

 private:
  MemoryLogger logger_;
  Provider provider_;
};

// One TCP connection to the provider, held open until destroyed or closed.
class Connection {
 public:
  Connection(boost::asio::io_context& io, int port) : socket_(io) {
    socket_.connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  }

  void send(const std::string& target,
            boost::beast::http::verb method = boost::beast::http::verb::get) {
    boost::beast::http::request<boost::beast::http::string_body> req(method, target, 11);
    req.set(boost::beast::http::field::host, "127.0.0.1");
    boost::beast::http::write(socket_, req);
  }

  Response receive() {
    Response res;
    boost::beast::http::read(socket_, buffer_, res);
    return res;
  }

  Response request(const std::string& target) {
    send(target);
    return receive();
  }

  // Blocks until the provider closes the connection; true if it did so cleanly.
  bool wait_closed_by_peer() {
    char byte;
    boost::system::error_code ec;
    socket_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof;
  }

  void close() { socket_.close(); }

 private:
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace sluice::provider_test
