// RAII for libcurl's URL API: a CURLU handle, and a string libcurl allocated (curl_free).
#pragma once

#include <curl/curl.h>

#include <memory>

namespace sluice {

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

// Filled by curl_url_get(..., &s.p, ...); freed with curl_free.
struct CurlStr {
  char* p = nullptr;
  CurlStr() = default;
  CurlStr(const CurlStr&) = delete;
  CurlStr& operator=(const CurlStr&) = delete;
  ~CurlStr() { curl_free(p); }
};

}  // namespace sluice
