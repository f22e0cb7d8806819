#include "provider/listener.h"

#include <boost/asio/error.hpp>
#include <memory>

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The kernel caps this at net.core.somaxconn.
constexpr int kBacklog = 65535;

}  // namespace

Listener::Listener(asio::io_context& io, Handler* handler, Counters* counters,
                   SessionOptions session, Logger* logger)
    : acceptor_(io),
      retry_timer_(io),
      handler_(handler),
      counters_(counters),
      session_(session),
      logger_(logger) {}

Status Listener::bind(const std::string& address, int port) {
  const std::string where = address + ":" + std::to_string(port);
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return make_error(Reason::bad_input, "bad listen address '" + address + "'");
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  if (acceptor_.open(endpoint.protocol(), ec) ||
      acceptor_.set_option(tcp::acceptor::reuse_address(true), ec) ||
      acceptor_.bind(endpoint, ec) || acceptor_.listen(kBacklog, ec)) {
    return make_error(Reason::io, "cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return {};
}

void Listener::start() { accept(); }

void Listener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted) return;
  if (ec) {
    // Usually EMFILE: wait a little rather than spin; clients stay in the backlog.
    logger_->warn("provider: accept on port " + std::to_string(port_) + ": " + ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
      if (!wait_ec) accept();
    });
    return;
  }
  std::make_shared<Session>(std::move(socket), handler_, counters_, session_)->start();
  accept();
}

}  // namespace sluice
