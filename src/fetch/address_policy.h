// Which addresses a fetch may connect to. URLs are untrusted, so by default only
// global unicast addresses are allowed; the check runs on the address libcurl is about to
// connect to (after DNS), so a name that rebinds to a private address cannot slip past.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace sluice {

enum class AddressClass {
  global,       // allowed
  unspecified,  // 0.0.0.0/8, ::
  loopback,     // 127.0.0.0/8, ::1
  private_net,  // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10
  shared,       // 100.64/10 (carrier-grade NAT)
  link_local,   // 169.254/16 (cloud metadata), fe80::/10
  multicast,    // 224/4, ff00::/8
  reserved,     // 240/4 and broadcast, 192.0.0/24, 198.18/15, other ::/96
  unsupported,  // not IPv4 or IPv6, or a short sockaddr
};

// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
// IPv6 addresses are classified by the IPv4 address they carry.
AddressClass classify_address(const sockaddr* addr, socklen_t len);

inline bool address_allowed(AddressClass c) { return c == AddressClass::global; }

std::string_view address_class_name(AddressClass c);

// "192.0.2.1" or "2001:db8::1", for messages.
std::string address_to_string(const sockaddr* addr, socklen_t len);

}  // namespace sluice
