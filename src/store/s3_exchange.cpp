#include "store/s3_exchange.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "util/text.h"

namespace sluice {
namespace {

constexpr size_t kMaxReplyBody = 64 * 1024;  // error documents and small XML replies


}  // namespace

std::string header_safe(std::string_view value, size_t max_bytes, bool keep_spaces) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    bool plain = (c > 0x20 && c < 0x7f) || (keep_spaces && c == ' ');
    if (out.size() + (plain ? 1 : 3) > max_bytes) break;
    if (plain) {
      out.push_back(ch);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 0x0f]};
    }
  }
  return out;
}

S3Exchange::S3Exchange(const S3Context& ctx, S3Call call)
    : call_(std::move(call)), easy_(curl_easy_init()) {
  if (!easy_) throw std::bad_alloc();
  configure(ctx);
}

S3Exchange::~S3Exchange() = default;

void S3Exchange::configure(const S3Context& ctx) {
  const S3Target& t = ctx.target;
  std::string path = t.path_for(call_.full_key);
  std::string query = canonical_query(call_.query);
  url_ = t.scheme + "://" + t.host + path + (query.empty() ? "" : "?" + query);

  std::string date = amz_date(ctx.now());
  NameValues signed_headers = call_.headers;
  signed_headers.emplace_back("host", t.host);
  signed_headers.emplace_back("x-amz-date", date);
  signed_headers.emplace_back("x-amz-content-sha256", call_.payload_hash);
  if (!ctx.credentials.session_token.empty()) {
    signed_headers.emplace_back("x-amz-security-token", ctx.credentials.session_token);
  }
  SigV4Request req{call_.method, path, call_.query, signed_headers, call_.payload_hash};
  SigV4Key key{ctx.credentials.access_key_id, ctx.credentials.secret_access_key, t.region, "s3"};
  signature_ = sigv4_sign(req, key, date);

  curl_slist* list = nullptr;
  auto add = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) throw std::bad_alloc();
    list = next;
  };
  try {
    for (const auto& [name, value] : signed_headers) add(name + ": " + value);
    add("Authorization: " + signature_.authorization);
  } catch (...) {
    curl_slist_free_all(list);
    throw;
  }
  headers_.reset(list);

  CURL* e = easy_.get();
  const S3Options& o = ctx.options;
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, url_.c_str()));
  set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_.get()));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!o.ca_bundle.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_bundle.c_str()));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms));
  set(curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes));
  set(curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, o.low_speed_seconds));
  set(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(e, CURLOPT_USERAGENT, "sluice/0.1"));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &S3Exchange::on_write));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, this));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &S3Exchange::on_header));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, this));
  if (call_.method == "HEAD") {
    set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  } else if (call_.method == "PUT") {
    set(curl_easy_setopt(e, CURLOPT_UPLOAD, 1L));
    set(curl_easy_setopt(e, CURLOPT_READFUNCTION, &S3Exchange::on_read));
    set(curl_easy_setopt(e, CURLOPT_READDATA, this));
    set(curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &S3Exchange::on_seek));
    set(curl_easy_setopt(e, CURLOPT_SEEKDATA, this));
    set(curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call_.body_length)));
  } else if (call_.method == "POST") {
    set(curl_easy_setopt(e, CURLOPT_POST, 1L));
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, call_.memory_body.data()));
    set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(call_.memory_body.size())));
  } else if (call_.method != "GET") {
    set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call_.method.c_str()));
  }
  if (!ok) throw std::runtime_error("libcurl refused an option of an S3 request");
}

const S3Reply& S3Exchange::perform() {
  finish(curl_easy_perform(easy_.get()));
  return reply_;
}

void S3Exchange::finish(CURLcode code) {
  reply_.curl = code;
  if (code != CURLE_OK) reply_.curl_error = errbuf_;
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  reply_.status = status;
}

size_t S3Exchange::on_write(char* data, size_t size, size_t n, void* self) {
  auto* x = static_cast<S3Exchange*>(self);
  size_t bytes = size * n;
  size_t room = kMaxReplyBody - std::min(kMaxReplyBody, x->reply_.body.size());
  x->reply_.body.append(data, std::min(bytes, room));
  return bytes;  // the rest is dropped, not an error
}

size_t S3Exchange::on_header(char* data, size_t size, size_t n, void* self) {
  auto* x = static_cast<S3Exchange*>(self);
  size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.substr(0, 5) == "HTTP/") {  // a new response (after 100 Continue): start over
    S3Reply fresh;
    fresh.body = std::move(x->reply_.body);
    x->reply_ = std::move(fresh);
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string_view name = trim_header(line.substr(0, colon));
  std::string value(trim_header(line.substr(colon + 1)));
  if (iequals(name, "ETag"))
    x->reply_.etag = value;
  else if (iequals(name, "x-amz-meta-sha256"))
    x->reply_.meta_sha256 = value;
  else if (iequals(name, "x-amz-error-code"))
    x->reply_.error_header = value;
  else if (iequals(name, "x-amz-bucket-region"))
    x->reply_.bucket_region = value;
  return bytes;
}

size_t S3Exchange::on_read(char* buf, size_t size, size_t n, void* self) {
  auto* x = static_cast<S3Exchange*>(self);
  uint64_t left = x->call_.body_length - x->sent_;
  size_t want = static_cast<size_t>(std::min<uint64_t>(size * n, left));
  if (want == 0) return 0;
  ssize_t got;
  do {
    got = ::pread(x->call_.body_fd, buf, want, static_cast<off_t>(x->call_.body_offset + x->sent_));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    x->body_error_ = got == 0 ? "the temp file is shorter than when it was fetched"
                              : std::string("cannot read the temp file: ") + std::strerror(errno);
    return CURL_READFUNC_ABORT;
  }
  x->sent_ += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

int S3Exchange::on_seek(void* self, curl_off_t offset, int origin) {
  auto* x = static_cast<S3Exchange*>(self);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > x->call_.body_length) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  x->sent_ = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

}  // namespace sluice
