// Shared by the server's route files: the state handlers see and the JSON error form.
// Internal to src/server/.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/http_server.h"

namespace sluice {

struct Api {
  const ServerOptions& options;
  ServerParts& parts;
};

// Stable error codes of the API.
namespace api_code {
constexpr std::string_view bad_request = "bad_request";            // malformed query or body
constexpr std::string_view rejected_records = "rejected_records";  // some records invalid
constexpr std::string_view unauthorized = "unauthorized";          // token missing or wrong
constexpr std::string_view body_too_large = "body_too_large";      // over --max-body
constexpr std::string_view not_found = "not_found";
constexpr std::string_view queue_failed = "queue_failed";  // the queue returned an error
constexpr std::string_view not_ready = "not_ready";
constexpr std::string_view internal = "internal";
}  // namespace api_code

// {"error": {"code": code, "message": message}} plus extra's fields; sets the status.
void send_error(httplib::Response& res, int status, std::string_view code,
                const std::string& message, nlohmann::json extra = nlohmann::json::object());
void send_json(httplib::Response& res, int status, const nlohmann::json& body);

// Reads a POST body through reader into *body. httplib's own body reading would cap
// application/x-www-form-urlencoded bodies (what `curl -d` sends by default) at 8 KiB, so
// the POST routes take a ContentReader. False (and a 413 in res) when the body is over
// max bytes (by Content-Length or as read), or a 400 when the body could not be read.
bool read_body(const httplib::Request& req, const httplib::ContentReader& reader, size_t max,
               std::string* body, httplib::Response& res);

// A query parameter or a value taken from a third party, cut for an error message.
std::string bounded(std::string_view s, size_t max = 100);

void add_job_routes(httplib::Server& server, Api api);
void add_dlq_routes(httplib::Server& server, Api api);
void add_view_routes(httplib::Server& server, Api api);

}  // namespace sluice
