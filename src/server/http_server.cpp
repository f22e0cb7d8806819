#include "server/http_server.h"

#include <cstdlib>
#include <mutex>
#include <thread>

#include "server/assets.h"
#include "server/http_internal.h"

namespace sluice {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void send_error(httplib::Response& res, int status, std::string_view code,
                const std::string& message, json extra) {
  extra["error"] = {{"code", code}, {"message", message}};
  send_json(res, status, extra);
}

std::string bounded(std::string_view s, size_t max) {
  std::string out(s.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s.size() > max ? out + "..." : out;
}

void send_too_large(httplib::Response& res, size_t max) {
  send_error(res, 413, api_code::body_too_large,
             "the request body is larger than " + std::to_string(max) +
                 " bytes (serve --max-body); nothing was read from it or enqueued: send it in "
                 "smaller parts");
}

bool read_body(const httplib::Request& req, const httplib::ContentReader& reader, size_t max,
               std::string* body, httplib::Response& res) {
  // A Content-Length over the limit is refused before a byte is read.
  const std::string length = req.get_header_value("Content-Length");
  if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > max) {
    send_too_large(res, max);
    return false;
  }
  bool over = false;
  bool read = reader([&](const char* data, size_t len) {
    if (body->size() + len > max) {
      over = true;
      return false;
    }
    body->append(data, len);
    return true;
  });
  if (over) {
    send_too_large(res, max);
    return false;
  }
  if (!read) {
    send_error(res, 400, api_code::bad_request,
               "the request body could not be read (cut short, or a broken chunked encoding)");
    return false;
  }
  return true;
}

struct HttpServer::Impl {
  Impl(ServerOptions o, ServerParts p)
      : options(std::move(o)), parts(std::move(p)), token(options.token) {}

  void configure();
  bool authorized(const httplib::Request& req) const;

  ServerOptions options;
  ServerParts parts;
  BearerToken token;
  httplib::Server server;
  std::thread listener;
  std::mutex mu;
  bool started = false;  // GUARDED_BY(mu)
  bool stopped = false;  // GUARDED_BY(mu)
};

bool HttpServer::Impl::authorized(const httplib::Request& req) const {
  if (!token.required() || req.path == "/healthz") return true;
  // The dashboard's files hold no data; the page asks for the token and sends it itself.
  if (req.method == "GET" && find_asset(req.path == "/index.html" ? "/" : req.path)) return true;
  return token.accepts(req.get_header_value("Authorization"));
}

void HttpServer::Impl::configure() {
  size_t threads = options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body);
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer realm=\"sluice\"");
    send_error(res, 401, api_code::unauthorized,
               req.has_header("Authorization")
                   ? "wrong token in the Authorization header"
                   : "this server needs \"Authorization: Bearer <token>\" (serve --token)");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib answers itself (no route, body too large, bad request) get the same
  // JSON form as ours; responses that already have a body are left alone.
  server.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      send_too_large(res, options.max_body);
    } else if (res.status == 404) {
      send_error(res, 404, api_code::not_found,
                 "no endpoint " + req.method + " " + bounded(req.path));
    } else {
      send_error(
          res, res.status, api_code::bad_request,
          "HTTP " + std::to_string(res.status) + " for " + req.method + " " + bounded(req.path));
    }
  });
  server.set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        parts.log.error(req.method + " " + bounded(req.path) + ": " + what);
        send_error(res, 500, api_code::internal, "internal error: " + bounded(what, 200));
      });
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    parts.log.debug("http " + req.method + " " + bounded(req.path) + " " +
                    std::to_string(res.status));
  });
  Api api{options, parts};
  add_job_routes(server, api);
  add_dlq_routes(server, api);
  add_view_routes(server, api);
}

HttpServer::HttpServer(ServerOptions options, ServerParts parts)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(parts))) {
  impl_->configure();
}

HttpServer::~HttpServer() { stop(); }

Result<ListenAddress> HttpServer::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) return make_error(Reason::internal, "HttpServer::start called twice");
  ListenAddress at = impl_->options.listen;
  bool bound = false;
  if (at.port == 0) {
    int port = impl_->server.bind_to_any_port(at.host);
    bound = port > 0;
    at.port = port;
  } else {
    bound = impl_->server.bind_to_port(at.host, at.port);
  }
  if (!bound) {
    return make_error(Reason::io, "cannot listen on " + impl_->options.listen.to_string() +
                                      " (address in use, or not an address of this machine)");
  }
  impl_->started = true;
  impl_->listener = std::thread([this] { impl_->server.listen_after_bind(); });
  return at;
}

void HttpServer::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

}  // namespace sluice
