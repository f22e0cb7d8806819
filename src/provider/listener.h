// Accepts connections on one port and starts a Session for each, at once: a connection
// is counted from the moment it is accepted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "provider/counters.h"
#include "provider/reply.h"
#include "provider/session.h"
#include "util/error.h"
#include "util/logger.h"

namespace sluice {

class Listener {
 public:
  // `counters` is null for the uncounted control port. All pointers outlive the listener.
  Listener(boost::asio::io_context& io, Handler* handler, Counters* counters,
           SessionOptions session, Logger* logger);

  // Binds and listens with a large backlog; port 0 picks a free one (see port()).
  [[nodiscard]] Status bind(const std::string& address, int port);
  int port() const { return port_; }

  // Accepts until the io_context stops.
  void start();

 private:
  void accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // backs off when out of file descriptors
  Handler* handler_;
  Counters* counters_;
  SessionOptions session_;
  Logger* logger_;
  int port_ = 0;
};

}  // namespace sluice
