#include "provider/reply.h"

#include <algorithm>

namespace sluice {
namespace {

class StringSource final : public BodySource {
 public:
  explicit StringSource(std::string body) : body_(std::move(body)) {}
  uint64_t size() const override { return body_.size(); }
  std::string next(size_t max) override {
    const size_t n = std::min(max, body_.size() - offset_);
    std::string piece = body_.substr(offset_, n);
    offset_ += n;
    return piece;
  }

 private:
  std::string body_;
  size_t offset_ = 0;
};

}  // namespace

Reply text_reply(int status, std::string_view body) {
  Reply reply;
  reply.status = status;
  reply.body = std::string(body);
  return reply;
}

std::shared_ptr<BodySource> string_source(std::string body) {
  return std::make_shared<StringSource>(std::move(body));
}

}  // namespace sluice
