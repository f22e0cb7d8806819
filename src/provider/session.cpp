#include "provider/session.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string_view>

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr uint64_t kMaxRequestBody = 1 << 20;

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

Session::Session(tcp::socket socket, Handler* handler, Counters* counters, SessionOptions options)
    : stream_(std::move(socket)),
      delay_timer_(stream_.get_executor()),
      handler_(handler),
      counters_(counters),
      options_(options),
      connection_(counters) {}

Session::~Session() { close(); }

void Session::start() {
  beast::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
  read_header();
}

void Session::read_header() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBody);
  stream_.expires_after(options_.idle_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  if (ec) return close();  // end of stream, idle timeout, reset or a malformed request
  request_.start(counters_);
  if (parser_->is_done()) return respond();
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(beast::error_code ec) {
  if (ec) return close();
  respond();
}

void Session::respond() {
  const auto& request = parser_->get();
  std::string_view target = view(request.target());
  const size_t mark = target.find('?');
  RequestView view_of_request{view(request.method_string()), target.substr(0, mark),
                              mark == std::string_view::npos ? "" : target.substr(mark + 1)};
  Reply reply = handler_->handle(view_of_request);

  Head head;
  head.version(request.version());
  head.result(static_cast<unsigned>(reply.status));
  head.set(http::field::server, "sluice-provider");
  head.set(http::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) head.set(name, value);
  head.keep_alive(request.keep_alive());
  keep_alive_ = request.keep_alive();
  status_ = reply.status;
  const bool head_only = request.method() == http::verb::head;
  parser_.reset();

  response_ = {};
  if (!head_only && (reply.source || reply.delivery.kind != Delivery::Kind::whole)) {
    start_piecewise(reply, std::move(head));
  } else {
    piecewise_ = false;
    response_.base() = std::move(head.base());
    if (head_only) {
      response_.content_length(reply.body_size());  // the GET's length, no body
    } else if (reply.status != 204 && reply.status != 304) {
      response_.body() = std::move(reply.body);
      response_.prepare_payload();
    }
  }

  if (reply.delay.count() > 0) return wait_then_write(reply.delay);
  write();
}

// Waits out the delay while watching the socket, so a client that gives up and closes
// during the delay is counted closed at once, not when the response finally fails.
void Session::wait_then_write(std::chrono::milliseconds delay) {
  delaying_ = true;
  delay_timer_.expires_after(delay);
  delay_timer_.async_wait(
      [self = shared_from_this()](beast::error_code ec) { self->on_delay_over(ec); });
  watch_peer();
}

void Session::on_delay_over(beast::error_code ec) {
  delaying_ = false;
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (client_left_) return close();  // the request's time is up: only now is it not counted
  stop_watching_peer();
  write();
}

void Session::watch_peer() {
  watching_peer_ = true;
  stream_.socket().async_wait(
      tcp::socket::wait_read,
      [self = shared_from_this()](beast::error_code ec) { self->on_readable_while_watching(ec); });
}

// Cancels the readiness wait; call only while no read or write is pending on the socket.
void Session::stop_watching_peer() {
  if (!watching_peer_) return;
  watching_peer_ = false;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void Session::on_readable_while_watching(beast::error_code ec) {
  if (ec == asio::error::operation_aborted || closed_) return;
  watching_peer_ = false;
  beast::error_code avail_ec;
  if (!ec && stream_.socket().available(avail_ec) > 0 && !avail_ec) {
    return;  // a pipelined request, read after this response
  }
  peer_left();  // end of stream or reset
}

void Session::peer_left() {
  if (counters_) counters_->client_left();
  if (options_.count_after_disconnect && delaying_) {
    client_left_ = true;  // on_delay_over closes; the counts stay until then
    return;
  }
  close();
}

void Session::write() {
  // A client that has not taken the whole response within the idle timeout is dropped.
  stream_.expires_after(options_.idle_timeout);
  if (piecewise_) {
    head_writer_.emplace(head_);
    http::async_write_header(stream_, *head_writer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_head_written(ec);
                             });
    return;
  }
  http::async_write(
      stream_, response_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
}

void Session::on_written(beast::error_code ec) {
  request_.finish();
  if (ec) return close();
  if (counters_) counters_->response_written(status_);
  if (!keep_alive_) return close();
  response_ = {};
  read_header();
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
  delay_timer_.cancel();
  request_.finish();
  connection_.release();
}

void Session::close_with_reset() {
  if (closed_) return;
  beast::error_code ignored;
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  closed_ = true;
  stream_.close();
  delay_timer_.cancel();
  request_.finish();
  connection_.release();
}

}  // namespace sluice
