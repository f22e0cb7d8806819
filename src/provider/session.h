// One accepted TCP connection of the provider: reads requests with Beast, asks its Handler
// for each reply, delivers it after the reply's delay, and keeps the connection alive
// between requests until the client closes it or it idles out. A counted session (main
// port) holds a CountedConnection for its whole life and a CountedRequest per request.
//
// A reply held whole with the normal delivery is written by Beast in one go (session.cpp).
// Any other (a streamed body, or a reset, cut or dripped delivery) goes piecewise: the
// header, then the body a piece at a time (session_body.cpp).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "provider/counters.h"
#include "provider/reply.h"

namespace sluice {

struct SessionOptions {
  std::chrono::seconds idle_timeout{60};  // idle keep-alive connections are closed
  // A client that leaves during a reply's delay leaves its request (and connection)
  // counted until the delay is over, as a thread-per-request server that notices only when
  // it writes; nothing is written then. Otherwise the session closes at once.
  bool count_after_disconnect = false;
};

// Kept alive by its own pending operations, as in Beast's examples: the io_context owns
// the handlers, and destroying the io_context destroys every session.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `counters` is null for the control port. Both pointers outlive the io_context.
  Session(boost::asio::ip::tcp::socket socket, Handler* handler, Counters* counters,
          SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();

 private:
  using Head = boost::beast::http::response<boost::beast::http::empty_body>;

  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void respond();
  void wait_then_write(std::chrono::milliseconds delay);
  void on_delay_over(boost::beast::error_code ec);
  // While nothing is read, a readiness wait spots a client that closes (or resets) at once.
  void watch_peer();
  void stop_watching_peer();
  void on_readable_while_watching(boost::beast::error_code ec);
  void peer_left();
  void write();
  void on_written(boost::beast::error_code ec);  // a whole response is out
  void close();                                  // orderly: FIN, then close
  void close_with_reset();                       // SO_LINGER 0, then close: RST

  // Piecewise delivery (session_body.cpp).
  void start_piecewise(const Reply& reply, Head head);
  void on_head_written(boost::beast::error_code ec);
  void write_piece();
  void on_piece_written(boost::beast::error_code ec, std::size_t n);
  void body_done();
  void reset_once_sent(std::chrono::steady_clock::time_point give_up);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::asio::steady_timer delay_timer_;  // the reply's delay, drip pacing, reset drain
  Handler* handler_;
  Counters* counters_;
  SessionOptions options_;
  int status_ = 0;
  bool keep_alive_ = false;
  bool watching_peer_ = false;
  bool delaying_ = false;     // the reply's delay timer is running
  bool client_left_ = false;  // count_after_disconnect: the client left during the delay
  bool closed_ = false;
  CountedConnection connection_;
  CountedRequest request_;

  // The piecewise reply in progress, if any.
  bool piecewise_ = false;
  Head head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      head_writer_;
  std::shared_ptr<BodySource> source_;
  Delivery delivery_;
  uint64_t sent_ = 0;   // body bytes written
  uint64_t limit_ = 0;  // body bytes to write: all, or Delivery::cut_at
  std::string piece_;   // the piece being written
};

}  // namespace sluice
