#include "fetch/curl_errors.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CurlErrors, MapsTransportFailuresToReasons) {
  EXPECT_EQ(reason_for_curl_code(CURLE_OK), Reason::ok);
  EXPECT_EQ(reason_for_curl_code(CURLE_COULDNT_RESOLVE_HOST), Reason::dns);
  EXPECT_EQ(reason_for_curl_code(CURLE_COULDNT_CONNECT), Reason::connect);
  EXPECT_EQ(reason_for_curl_code(CURLE_OPERATION_TIMEDOUT), Reason::timeout);
  EXPECT_EQ(reason_for_curl_code(CURLE_PARTIAL_FILE), Reason::truncated);
  EXPECT_EQ(reason_for_curl_code(CURLE_RECV_ERROR), Reason::reset);
  EXPECT_EQ(reason_for_curl_code(CURLE_SEND_ERROR), Reason::reset);
  EXPECT_EQ(reason_for_curl_code(CURLE_GOT_NOTHING), Reason::reset);
  EXPECT_EQ(reason_for_curl_code(CURLE_SSL_CONNECT_ERROR), Reason::tls);
  EXPECT_EQ(reason_for_curl_code(CURLE_PEER_FAILED_VERIFICATION), Reason::tls);
  EXPECT_EQ(reason_for_curl_code(CURLE_SSL_CACERT_BADFILE), Reason::tls);
  EXPECT_EQ(reason_for_curl_code(CURLE_TOO_MANY_REDIRECTS), Reason::too_many_redirects);
  EXPECT_EQ(reason_for_curl_code(CURLE_FILESIZE_EXCEEDED), Reason::too_large);
  EXPECT_EQ(reason_for_curl_code(CURLE_URL_MALFORMAT), Reason::bad_url);
  EXPECT_EQ(reason_for_curl_code(CURLE_UNSUPPORTED_PROTOCOL), Reason::bad_url);
  EXPECT_EQ(reason_for_curl_code(CURLE_WEIRD_SERVER_REPLY), Reason::network);
  EXPECT_EQ(reason_for_curl_code(CURLE_HTTP2), Reason::network);
}

}  // namespace
}  // namespace sluice
