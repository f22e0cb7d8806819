#include "fetch/socket_book.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fetch/address_policy.h"

namespace sluice {

curl_socket_t SocketBook::open(const std::string& host_key, const curl_sockaddr& addr,
                               SocketRefusal* why, std::string* detail) {
  *why = SocketRefusal::none;
  if (!allow_private_) {
    const AddressClass cls = classify_address(&addr.addr, addr.addrlen);
    if (!address_allowed(cls)) {
      *why = SocketRefusal::blocked_address;
      *detail = std::string(host_key) + " resolves to " +
                address_to_string(&addr.addr, addr.addrlen) + " (" +
                std::string(address_class_name(cls)) + ")";
      if (logger_) logger_->warn("refused to connect: " + *detail);
      return CURL_SOCKET_BAD;
    }
  }
  if (observer_ && !observer_->connection_opening(host_key)) {
    *why = SocketRefusal::gate_refused;
    if (logger_) logger_->warn("gate refused a connection to " + host_key);
    return CURL_SOCKET_BAD;
  }
  const int fd = ::socket(addr.family, addr.socktype | SOCK_CLOEXEC, addr.protocol);
  if (fd < 0) {
    *why = SocketRefusal::os_error;
    *detail = std::string("socket(): ") + std::strerror(errno);
    if (observer_) observer_->connection_closed(host_key);
    return CURL_SOCKET_BAD;
  }
  sockets_.emplace(fd, host_key);
  if (loop_) loop_->opened(fd);
  return fd;
}

int SocketBook::close(curl_socket_t sock) {
  auto it = sockets_.find(sock);
  if (it != sockets_.end()) {
    std::string host_key = std::move(it->second);
    sockets_.erase(it);
    if (observer_) observer_->connection_closed(host_key);
  }
  if (loop_) loop_->closed(sock);
  return ::close(sock) == 0 ? 0 : 1;
}

int SocketBook::close_callback(void* clientp, curl_socket_t sock) {
  return static_cast<SocketBook*>(clientp)->close(sock);
}

}  // namespace sluice
