// The provider's request handling, free of sockets: a request comes in as a RequestView,
// a Handler decides a Reply, and the Session delivers it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

struct RequestView {
  std::string_view method;  // "GET", "HEAD", ...
  std::string_view path;    // the target without its query
  std::string_view query;   // what follows '?', without it; empty if none
};

// A body made piece by piece as it is sent, never held whole (bodies of any size).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  // The next min(max, bytes left) bytes.
  virtual std::string next(size_t max) = 0;
};

// How the Session sends a reply's body. Every kind sends the full header, with the
// Content-Length of the whole body.
struct Delivery {
  enum class Kind {
    whole,  // all of it, as fast as the client takes it
    reset,  // `cut_at` bytes, then a TCP reset (SO_LINGER 0, close) once they have left
    cut,    // `cut_at` bytes, then an orderly close: fewer bytes than Content-Length
    drip,   // all of it at `bytes_per_s`, paced by a timer
  };
  Kind kind = Kind::whole;
  uint64_t cut_at = 0;
  uint64_t bytes_per_s = 0;
};

// A response and how to deliver it.
struct Reply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // When set, the body comes from here instead of `body` (which is then empty).
  std::shared_ptr<BodySource> source;
  std::vector<std::pair<std::string, std::string>> headers;  // ETag, Retry-After, ...
  std::chrono::milliseconds delay{0};  // wait this long before sending anything
  Delivery delivery;

  uint64_t body_size() const { return source ? source->size() : body.size(); }
};

// A text/plain reply with exactly `body` ("account suspended", "not found", ...).
Reply text_reply(int status, std::string_view body);

// A source over a body held whole.
std::shared_ptr<BodySource> string_source(std::string body);

// Decides the reply to one request. Runs on the provider's loop thread.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual Reply handle(const RequestView& request) = 0;
};

}  // namespace sluice
