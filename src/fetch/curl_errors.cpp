#include "fetch/curl_errors.h"

namespace sluice {

Reason reason_for_curl_code(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Reason::ok;
    case CURLE_COULDNT_RESOLVE_HOST:
      return Reason::dns;
    case CURLE_COULDNT_CONNECT:
      return Reason::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return Reason::timeout;
    case CURLE_PARTIAL_FILE:
      return Reason::truncated;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
      return Reason::reset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return Reason::tls;
    case CURLE_TOO_MANY_REDIRECTS:
      return Reason::too_many_redirects;
    case CURLE_FILESIZE_EXCEEDED:
      return Reason::too_large;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Reason::bad_url;
    default:
      return Reason::network;
  }
}

}  // namespace sluice
