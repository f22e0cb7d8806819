// Piecewise delivery: the header, then the body a piece at a time from a BodySource, as
// the reply's Delivery says: all of it, cut short with an orderly close, cut short with a
// TCP reset, or dripped at a fixed rate by a timer (the loop thread never blocks). The
// peer is watched meanwhile, so a client that leaves mid-body is counted closed at once.
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

#include "provider/session.h"

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr uint64_t kPieceBytes = 64 * 1024;

// Drips go out about ten times a second: pieces of a tenth of the rate (at least a byte),
// each after the time that piece is worth.
uint64_t drip_piece(uint64_t bytes_per_s) { return std::max<uint64_t>(1, bytes_per_s / 10); }

std::chrono::microseconds drip_interval(uint64_t bytes_per_s) {
  const uint64_t rate = std::max<uint64_t>(1, bytes_per_s);
  return std::chrono::microseconds(drip_piece(rate) * 1'000'000 / rate);
}

}  // namespace

void Session::start_piecewise(const Reply& reply, Head head) {
  piecewise_ = true;
  head_ = std::move(head);
  source_ = reply.source ? reply.source : string_source(reply.body);
  delivery_ = reply.delivery;
  sent_ = 0;
  limit_ = source_->size();
  if (delivery_.kind == Delivery::Kind::reset || delivery_.kind == Delivery::Kind::cut) {
    limit_ = std::min(limit_, delivery_.cut_at);
  }
  head_.content_length(source_->size());  // the whole body's, whatever is sent
}

void Session::on_head_written(beast::error_code ec) {
  head_writer_.reset();
  if (ec || closed_) return close();
  watch_peer();
  write_piece();
}

void Session::write_piece() {
  if (closed_) return;
  if (sent_ == limit_) return body_done();
  const bool drip = delivery_.kind == Delivery::Kind::drip;
  const uint64_t most = drip ? drip_piece(delivery_.bytes_per_s) : kPieceBytes;
  piece_ = source_->next(std::min(most, limit_ - sent_));
  stream_.expires_after(options_.idle_timeout);
  asio::async_write(stream_, asio::buffer(piece_),
                    [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                      self->on_piece_written(ec, n);
                    });
}

void Session::on_piece_written(beast::error_code ec, std::size_t n) {
  if (ec || closed_) return close();
  sent_ += n;
  if (delivery_.kind != Delivery::Kind::drip || sent_ == limit_) return write_piece();
  delay_timer_.expires_after(drip_interval(delivery_.bytes_per_s));
  delay_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec && !self->closed_) self->write_piece();
  });
}

void Session::body_done() {
  piece_.clear();
  source_.reset();
  piecewise_ = false;
  switch (delivery_.kind) {
    case Delivery::Kind::cut:
      return close();  // an orderly end, Content-Length bytes short
    case Delivery::Kind::reset:
      // Still watching: a client that leaves first is simply closed.
      return reset_once_sent(std::chrono::steady_clock::now() + options_.idle_timeout);
    case Delivery::Kind::whole:
    case Delivery::Kind::drip:
      break;
  }
  stop_watching_peer();
  on_written({});
}

// Resets once the client has taken every byte written (the send queue is empty), so it sees
// exactly `cut_at` bytes and then the reset rather than losing some of them to it; a client
// that stops reading is reset after the idle timeout anyway.
void Session::reset_once_sent(std::chrono::steady_clock::time_point give_up) {
  if (closed_) return;
  int unsent = 0;
  if (ioctl(stream_.socket().native_handle(), SIOCOUTQ, &unsent) == 0 && unsent > 0 &&
      std::chrono::steady_clock::now() < give_up) {
    delay_timer_.expires_after(std::chrono::milliseconds(2));
    delay_timer_.async_wait([self = shared_from_this(), give_up](beast::error_code ec) {
      if (!ec) self->reset_once_sent(give_up);
    });
    return;
  }
  close_with_reset();
}

}  // namespace sluice
