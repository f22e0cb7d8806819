#include "fetch/easy_pool.h"

#include <string>

#include "fetch/easy_options.h"
#include "fetch/socket_book.h"
#include "fetch/transfer.h"

namespace sluice {

EasyPool::EasyPool(const FetchOptions& options, void* close_data)
    : options_(options), close_data_(close_data) {}

EasyPool::~EasyPool() {
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
}

void EasyPool::Return::operator()(CURL* easy) const {
  if (pool != nullptr) {
    pool->give(easy);
  } else {
    curl_easy_cleanup(easy);
  }
}

void EasyPool::give(CURL* easy) {
  // No pointer to the transfer that used it stays behind.
  curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  idle_.push_back(easy);
}

Result<EasyPool::Handle> EasyPool::take() {
  if (!idle_.empty()) {
    CURL* easy = idle_.back();
    idle_.pop_back();
    return Handle(easy, Return{this});
  }
  Handle easy(curl_easy_init(), Return{nullptr});
  if (!easy) return make_error(Reason::internal, "curl_easy_init failed");
  if (Status s = configure_easy(easy.get(), options_); !s.ok()) return s.error();
  if (Status s = Transfer::set_callbacks(easy.get(), close_data_); !s.ok()) return s.error();
  ++created_;
  return Handle(easy.release(), Return{this});
}

}  // namespace sluice
