#include "provider/reply.h"

namespace sluice {

Reply text_reply(int status, std::string_view body) {
  Reply reply;
  reply.status = status;
  reply.body = std::string(body);
  return reply;
}

}  // namespace sluice
