#include "provider/provider.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <optional>
#include <thread>

#include "provider/listener.h"
#include "provider/rlimit.h"
#include "provider/routes.h"

namespace sluice {

// Members are destroyed in reverse order: the io_context (and with it every session)
// goes before the handlers and counters the sessions point to.
class Provider::Impl {
 public:
  Impl(ProviderOptions options, Logger& logger, const Clock* clock)
      : options_(std::move(options)),
        logger_(logger),
        clock_(clock ? clock : &system_clock_),
        counters_(options_.cap, options_.suspend, std::chrono::seconds(options_.suspend_for_s),
                  clock_),
        main_routes_(options_, &counters_, clock_),
        control_routes_(&counters_, std::chrono::seconds(options_.suspend_for_s)),
        main_(io_, &main_routes_, &counters_,
              SessionOptions{idle(), options_.count_after_disconnect}, &logger_),
        control_(io_, &control_routes_, nullptr, SessionOptions{idle(), false}, &logger_) {}

  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  Status start() {
    uint64_t files = raise_open_file_limit();
    logger_.debug("provider: open file limit " + std::to_string(files));
    if (Status s = main_.bind(options_.listen, options_.port); !s) return s;
    if (Status s = control_.bind(options_.listen, options_.control_port); !s) return s;
    main_.start();
    control_.start();
    return {};
  }

  std::string listening_line() const {
    const std::string host = options_.listen.find(':') == std::string::npos
                                 ? options_.listen
                                 : "[" + options_.listen + "]";
    return "listening " + host + ":" + std::to_string(main_.port()) + " control " + host + ":" +
           std::to_string(control_.port());
  }

  void stop_on_signals() {
    signals_.emplace(io_, SIGINT, SIGTERM);
    signals_->async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      logger_.debug("provider: signal " + std::to_string(signal) + ", stopping");
      io_.stop();
    });
  }

  void run() { io_.run(); }
  void run_in_thread() {
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() { io_.stop(); }

  ProviderStats stats() const { return counters_.snapshot(); }
  int port() const { return main_.port(); }
  int control_port() const { return control_.port(); }

 private:
  std::chrono::seconds idle() const { return std::chrono::seconds(options_.idle_timeout_s); }

  const ProviderOptions options_;
  Logger& logger_;
  SystemClock system_clock_;
  const Clock* clock_;
  Counters counters_;
  MainRoutes main_routes_;
  ControlRoutes control_routes_;
  boost::asio::io_context io_{1};  // one thread, by design
  Listener main_;
  Listener control_;
  std::optional<boost::asio::signal_set> signals_;
  std::thread thread_;
};

Provider::Provider(ProviderOptions options, Logger& logger, const Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(options), logger, clock)) {}
Provider::~Provider() = default;

Status Provider::start() { return impl_->start(); }
int Provider::port() const { return impl_->port(); }
int Provider::control_port() const { return impl_->control_port(); }
std::string Provider::listening_line() const { return impl_->listening_line(); }
void Provider::stop_on_signals() { impl_->stop_on_signals(); }
void Provider::run() { impl_->run(); }
void Provider::run_in_thread() { impl_->run_in_thread(); }
void Provider::stop() { impl_->stop(); }
ProviderStats Provider::stats() const { return impl_->stats(); }

}  // namespace sluice
