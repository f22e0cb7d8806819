// SHA-256 through OpenSSL's EVP interface: a streaming hasher and a one-shot helper.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sluice {

// Feed bytes with update(), read the digest with final_hex(). After final_hex() the
// hasher starts over, so one object can hash several inputs in turn. Movable, not copyable.
// Out of memory or a broken OpenSSL throws std::bad_alloc / std::runtime_error: both are
// start-up failures in practice, not per-job errors.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view data) { update(data.data(), data.size()); }
  void update(const void* data, size_t size);
  // Lower-case hex, 64 characters.
  std::string final_hex();

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const;
  };
  void init();
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
};

// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace sluice
