#include "fetch/address_policy.h"

#include <gtest/gtest.h>
#include <netdb.h>

#include <cstring>

namespace sluice {
namespace {

// Classifies a numeric address the way the socket callback sees it: as a sockaddr.
AddressClass classify(const std::string& numeric) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(numeric.c_str(), "80", &hints, &res) != 0) {
    ADD_FAILURE() << "not a numeric address: " << numeric;
    return AddressClass::unsupported;
  }
  const AddressClass c = classify_address(res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return c;
}

struct Case {
  const char* address;
  AddressClass expected;
};

TEST(AddressPolicy, ClassifiesIpv4) {
  const Case cases[] = {
      {"93.184.216.34", AddressClass::global},
      {"8.8.8.8", AddressClass::global},
      {"1.1.1.1", AddressClass::global},
      {"0.0.0.0", AddressClass::unspecified},
      {"0.1.2.3", AddressClass::unspecified},
      {"127.0.0.1", AddressClass::loopback},
      {"127.255.255.254", AddressClass::loopback},
      {"10.0.0.1", AddressClass::private_net},
      {"10.255.255.255", AddressClass::private_net},
      {"172.15.255.255", AddressClass::global},
      {"172.16.0.1", AddressClass::private_net},
      {"172.31.255.255", AddressClass::private_net},
      {"172.32.0.0", AddressClass::global},
      {"192.168.1.1", AddressClass::private_net},
      {"192.167.255.255", AddressClass::global},
      {"192.169.0.0", AddressClass::global},
      {"100.63.255.255", AddressClass::global},
      {"100.64.0.1", AddressClass::shared},
      {"100.127.255.255", AddressClass::shared},
      {"100.128.0.0", AddressClass::global},
      {"169.254.169.254", AddressClass::link_local},  // cloud metadata
      {"169.254.0.1", AddressClass::link_local},
      {"169.253.255.255", AddressClass::global},
      {"224.0.0.1", AddressClass::multicast},
      {"239.255.255.250", AddressClass::multicast},
      {"240.0.0.1", AddressClass::reserved},
      {"255.255.255.255", AddressClass::reserved},
      {"192.0.0.8", AddressClass::reserved},
      {"198.18.0.1", AddressClass::reserved},
      {"198.19.255.255", AddressClass::reserved},
      {"198.20.0.0", AddressClass::global},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify(c.address), c.expected)
        << c.address << " is " << address_class_name(classify(c.address));
  }
}

TEST(AddressPolicy, ClassifiesIpv6) {
  const Case cases[] = {
      {"2606:2800:220:1:248:1893:25c8:1946", AddressClass::global},
      {"2001:4860:4860::8888", AddressClass::global},
      {"::", AddressClass::unspecified},
      {"::1", AddressClass::loopback},
      {"fc00::1", AddressClass::private_net},
      {"fd12:3456:789a::1", AddressClass::private_net},
      {"fec0::1", AddressClass::private_net},
      {"fe80::1", AddressClass::link_local},
      {"febf:ffff::1", AddressClass::link_local},
      {"ff02::1", AddressClass::multicast},
      {"ff05::2", AddressClass::multicast},
      {"fbff:ffff::1", AddressClass::global},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify(c.address), c.expected)
        << c.address << " is " << address_class_name(classify(c.address));
  }
}

TEST(AddressPolicy, ClassifiesIpv4InsideIpv6ByTheIpv4Address) {
  const Case cases[] = {
      {"::ffff:127.0.0.1", AddressClass::loopback},
      {"::ffff:7f00:1", AddressClass::loopback},
      {"::ffff:10.1.2.3", AddressClass::private_net},
      {"::ffff:192.168.0.1", AddressClass::private_net},
      {"::ffff:169.254.169.254", AddressClass::link_local},
      {"::ffff:100.64.0.1", AddressClass::shared},
      {"::ffff:0.0.0.0", AddressClass::unspecified},
      {"::ffff:224.0.0.1", AddressClass::multicast},
      {"::ffff:93.184.216.34", AddressClass::global},
      {"64:ff9b::127.0.0.1", AddressClass::loopback},  // NAT64
      {"64:ff9b::169.254.169.254", AddressClass::link_local},
      {"64:ff9b::8.8.8.8", AddressClass::global},
      {"::127.0.0.1", AddressClass::loopback},  // IPv4-compatible (deprecated)
      {"::10.0.0.1", AddressClass::private_net},
      {"::8.8.8.8", AddressClass::reserved},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(classify(c.address), c.expected)
        << c.address << " is " << address_class_name(classify(c.address));
  }
}

TEST(AddressPolicy, OnlyGlobalIsAllowed) {
  EXPECT_TRUE(address_allowed(AddressClass::global));
  for (AddressClass c :
       {AddressClass::unspecified, AddressClass::loopback, AddressClass::private_net,
        AddressClass::shared, AddressClass::link_local, AddressClass::multicast,
        AddressClass::reserved, AddressClass::unsupported}) {
    EXPECT_FALSE(address_allowed(c)) << address_class_name(c);
  }
}

TEST(AddressPolicy, ShortOrForeignSockaddrsAreUnsupported) {
  EXPECT_EQ(classify_address(nullptr, 0), AddressClass::unsupported);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  EXPECT_EQ(classify_address(reinterpret_cast<sockaddr*>(&in), 4), AddressClass::unsupported);
  sockaddr_storage unix_like{};
  unix_like.ss_family = AF_UNIX;
  EXPECT_EQ(classify_address(reinterpret_cast<sockaddr*>(&unix_like), sizeof unix_like),
            AddressClass::unsupported);
}

TEST(AddressPolicy, FormatsAddresses) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  ASSERT_EQ(getaddrinfo("::ffff:10.0.0.1", nullptr, &hints, &res), 0);
  EXPECT_EQ(address_to_string(res->ai_addr, res->ai_addrlen), "::ffff:10.0.0.1");
  freeaddrinfo(res);
  ASSERT_EQ(getaddrinfo("169.254.169.254", nullptr, &hints, &res), 0);
  EXPECT_EQ(address_to_string(res->ai_addr, res->ai_addrlen), "169.254.169.254");
  freeaddrinfo(res);
}

}  // namespace
}  // namespace sluice
