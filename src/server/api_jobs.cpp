// POST /api/jobs: the application's front door. The body is read whole (at most
// --max-body), parsed by parse_job_body, and enqueued in one transaction only when every
// record is valid: a rejected body changes nothing, so the caller can fix and resend it
// (enqueue is idempotent). ?url_field= and ?id_field= override serve's --url-field and
// --id-field for one request.
#include "server/http_internal.h"
#include "server/job_body.h"

namespace sluice {
namespace {

using nlohmann::json;

json problem_json(const BodyProblem& p) {
  json j;
  if (p.item > 0)
    j["item"] = p.item;
  else
    j["line"] = p.line;
  j["reason"] = p.reason;
  return j;
}

void post_jobs(Api api, const httplib::Request& req, httplib::Response& res,
               const httplib::ContentReader& reader) {
  std::string text;
  if (!read_body(req, reader, api.options.max_body, &text, res)) return;
  InputOptions input = api.options.input;
  if (req.has_param("url_field")) input.url_field = req.get_param_value("url_field");
  if (req.has_param("id_field")) input.id_field = req.get_param_value("id_field");
  if (input.url_field.empty()) {
    send_error(res, 400, api_code::bad_request, "url_field is empty");
    return;
  }
  JobBody body = parse_job_body(text, input);
  if (!body.problems.empty()) {
    json problems = json::array();
    for (size_t i = 0; i < body.problems.size() && i < api.options.max_problems; ++i) {
      problems.push_back(problem_json(body.problems[i]));
    }
    size_t n = body.jobs.size() + body.problems.size();
    std::string message =
        std::to_string(body.problems.size()) + " of " + std::to_string(n) +
        " records rejected (first: " +
        (body.problems[0].item ? "item " + std::to_string(body.problems[0].item)
                               : "line " + std::to_string(body.problems[0].line)) +
        ": " + bounded(body.problems[0].reason, 200) + "); nothing was enqueued from this body";
    send_error(res, 400, api_code::rejected_records, message,
               {{"form", form_name(body.form)},
                {"accepted", 0},
                {"rejected", body.problems.size()},
                {"problems", problems},
                {"problems_truncated", body.problems.size() > api.options.max_problems}});
    return;
  }
  EnqueueStats st;
  if (!body.jobs.empty()) {
    auto r = api.parts.queue.enqueue(body.jobs, api.parts.clock.now_ms());
    if (!r.ok()) {
      api.parts.log.warn("POST /api/jobs: queue: " + r.error().to_string());
      send_error(res, 503, api_code::queue_failed,
                 "the queue refused the batch: " + r.error().to_string() +
                     "; nothing was enqueued from this body, send it again");
      return;
    }
    st = *r;
    api.parts.snapshots.invalidate();
    if (api.parts.added) api.parts.added(st.inserted + st.requeued);
  }
  send_json(res, 200,
            {{"form", form_name(body.form)},
             {"accepted", body.jobs.size()},
             {"inserted", st.inserted},
             {"unchanged", st.unchanged},
             {"requeued", st.requeued},
             {"rejected", 0}});
}

}  // namespace

void add_job_routes(httplib::Server& server, Api api) {
  server.Post("/api/jobs",
              [api](const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) { post_jobs(api, req, res, reader); });
}

}  // namespace sluice
