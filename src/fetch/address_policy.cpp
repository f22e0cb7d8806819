#include "fetch/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

bool in_v4(uint32_t a, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

constexpr uint32_t v4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

AddressClass classify_v4(uint32_t a) {  // host byte order
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return AddressClass::unspecified;
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressClass::loopback;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) ||
      in_v4(a, v4(192, 168, 0, 0), 16)) {
    return AddressClass::private_net;
  }
  if (in_v4(a, v4(100, 64, 0, 0), 10)) return AddressClass::shared;
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return AddressClass::link_local;
  if (in_v4(a, v4(224, 0, 0, 0), 4)) return AddressClass::multicast;
  if (in_v4(a, v4(240, 0, 0, 0), 4) || in_v4(a, v4(192, 0, 0, 0), 24) ||
      in_v4(a, v4(198, 18, 0, 0), 15)) {
    return AddressClass::reserved;
  }
  return AddressClass::global;
}

uint32_t tail_v4(const uint8_t* b) { return v4(b[12], b[13], b[14], b[15]); }

AddressClass classify_v6(const uint8_t* b) {
  static constexpr uint8_t kZero[12] = {};
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return classify_v4(tail_v4(b));
  }
  if (std::memcmp(b, kZero, 12) == 0) {
    const uint32_t tail = tail_v4(b);
    if (tail == 0) return AddressClass::unspecified;
    if (tail == 1) return AddressClass::loopback;
    const AddressClass c = classify_v4(tail);  // IPv4-compatible (deprecated)
    return c == AddressClass::global ? AddressClass::reserved : c;
  }
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_net;                  // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;   // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::private_net;  // fec0::/10
  if (b[0] == 0xff) return AddressClass::multicast;
  return AddressClass::global;
}

}  // namespace

AddressClass classify_address(const sockaddr* addr, socklen_t len) {
  if (addr == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) {
    return AddressClass::unsupported;
  }
  if (addr->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    return classify_v4(ntohl(in.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    return classify_v6(in6.sin6_addr.s6_addr);
  }
  return AddressClass::unsupported;
}

std::string_view address_class_name(AddressClass c) {
  switch (c) {
    case AddressClass::global:
      return "global";
    case AddressClass::unspecified:
      return "unspecified";
    case AddressClass::loopback:
      return "loopback";
    case AddressClass::private_net:
      return "private";
    case AddressClass::shared:
      return "shared (CGNAT)";
    case AddressClass::link_local:
      return "link-local";
    case AddressClass::multicast:
      return "multicast";
    case AddressClass::reserved:
      return "reserved";
    case AddressClass::unsupported:
      return "unsupported";
  }
  return "unsupported";
}

std::string address_to_string(const sockaddr* addr, socklen_t len) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr && addr->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    if (inet_ntop(AF_INET, &in.sin_addr, buf, sizeof buf)) return buf;
  }
  if (addr && addr->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    if (inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof buf)) return buf;
  }
  return "(unknown address)";
}

}  // namespace sluice
