// One accepted TCP connection of the provider: reads requests with Beast, asks its Handler
// for each reply, delivers it after the reply's delay, and keeps the connection alive
// between requests until the client closes it or it idles out. A counted session (main
// port) holds a CountedConnection for its whole life and a CountedRequest per request.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "provider/counters.h"
#include "provider/reply.h"

namespace sluice {

// Kept alive by its own pending operations, as in Beast's examples: the io_context owns
// the handlers, and destroying the io_context destroys every session.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `counters` is null for the control port. Both pointers outlive the io_context.
  Session(boost::asio::ip::tcp::socket socket, Handler* handler, Counters* counters,
          std::chrono::seconds idle_timeout);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();

 private:
  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void respond();
  void wait_then_write(std::chrono::milliseconds delay);
  void on_delay_over(boost::beast::error_code ec);
  void on_readable_while_waiting(boost::beast::error_code ec);
  void write();
  void on_written(boost::beast::error_code ec);
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::asio::steady_timer delay_timer_;
  Handler* handler_;
  Counters* counters_;
  std::chrono::seconds idle_timeout_;
  int status_ = 0;
  bool watching_peer_ = false;  // a readiness wait spots a client closing during the delay
  bool closed_ = false;
  CountedConnection connection_;
  CountedRequest request_;
};

}  // namespace sluice
