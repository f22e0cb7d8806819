// TLS verification is on: a provider with a certificate nobody vouches for is refused.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};

// A self-signed certificate for 127.0.0.1, made in memory.
std::unique_ptr<X509, CertFree> self_signed(EVP_PKEY* key) {
  std::unique_ptr<X509, CertFree> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

TEST(CurlFetcherTls, UntrustedCertificateIsTls) {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  auto cert = self_signed(key.get());
  // SSLServer keeps its own references to cert and key.
  TestServer server(std::make_unique<httplib::SSLServer>(cert.get(), key.get()));
  server.http().Get("/img.jpg", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("secret image", "image/jpeg");
  });
  server.start();
  TempDir dir;
  CountingObserver observer;
  FetchResult r;
  {
    CurlFetcher f(local_options(), &observer, nullptr);
    r = fetch_one(f, server.url("/img.jpg", "https"), dir.file("body.tmp"));
  }
  EXPECT_EQ(r.error.reason, Reason::tls) << r.error.to_string();
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_EQ(observer.opens[server.host_key()], observer.closes[server.host_key()]);
}

}  // namespace
}  // namespace sluice
