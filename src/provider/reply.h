// The provider's request handling, free of sockets: a request comes in as a RequestView,
// a Handler decides a Reply, and the Session delivers it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

struct RequestView {
  std::string_view method;  // "GET", "HEAD", ...
  std::string_view path;    // the target without its query
};

// A response and how to deliver it. Delivery faults still to come (reset mid-body, a body
// shorter than its Content-Length, slow drip) add fields here for the Session to honour.
struct Reply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // ETag, Retry-After, ...
  std::chrono::milliseconds delay{0};  // wait this long before sending anything
};

// A text/plain reply with exactly `body` ("account suspended", "not found", ...).
Reply text_reply(int status, std::string_view body);

// Decides the reply to one request. Runs on the provider's loop thread.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual Reply handle(const RequestView& request) = 0;
};

}  // namespace sluice
