#include "util/sha256.h"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace sluice {

void Sha256::CtxDeleter::operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::bad_alloc();
  init();
}

namespace {

// The digest, fetched from the default provider once: EVP_DigestInit_ex with EVP_sha256()
// fetches it again at every init (OpenSSL 3).
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

void Sha256::init() {
  if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: EVP_DigestInit_ex(sha256) failed");
  }
}

void Sha256::update(const void* data, size_t size) {
  if (size == 0) return;
  if (EVP_DigestUpdate(ctx_.get(), data, size) != 1) {
    throw std::runtime_error("OpenSSL: EVP_DigestUpdate failed");
  }
}

std::string Sha256::final_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), digest, &len) != 1) {
    throw std::runtime_error("OpenSSL: EVP_DigestFinal_ex failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  init();
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.final_hex();
}

}  // namespace sluice
