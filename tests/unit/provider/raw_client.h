// A raw HTTP/1.1 GET for the delivery faults, where a parsing client would hide what came:
// sends one request and keeps every byte that arrives until the response is complete (per
// its Content-Length), the peer closes or resets, `max_bytes` have come, or the time bound
// passes; then says which of those ended it.
#pragma once

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sluice::provider_test {

struct RawResponse {
  enum class End { complete, max_bytes, eof, reset, bound, other };
  std::string head;  // status line and fields, through the blank line
  std::string body;  // every byte after the head
  End end = End::other;

  int status() const { return head.size() > 12 ? std::stoi(head.substr(9, 3)) : 0; }
  // The value of a field (name in lower case), or "" if absent.
  std::string field(const std::string& lower_name) const {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t at = lower.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    size_t from = at + 3 + lower_name.size();
    while (from < head.size() && head[from] == ' ') ++from;
    return head.substr(from, head.find("\r\n", from) - from);
  }
  std::optional<uint64_t> content_length() const {
    const std::string value = field("content-length");
    if (value.empty()) return std::nullopt;
    return std::stoull(value);
  }
};

inline RawResponse raw_get(int port, const std::string& target, std::chrono::milliseconds bound,
                           uint64_t max_bytes = UINT64_MAX) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(socket, asio::buffer(request));

  RawResponse res;
  std::string data;
  std::array<char, 64 * 1024> buf;
  asio::steady_timer timer(io, bound);
  bool over_time = false;
  timer.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    over_time = true;
    socket.cancel();
  });
  // True once the bytes so far hold a head and all of the body it announces.
  const auto complete = [&] {
    const size_t end_of_head = data.find("\r\n\r\n");
    if (end_of_head == std::string::npos) return false;
    RawResponse partial;
    partial.head = data.substr(0, end_of_head + 4);
    auto length = partial.content_length();
    return length && data.size() - partial.head.size() >= *length;
  };
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, size_t n) {
      data.append(buf.data(), n);
      if (!ec && complete()) {
        res.end = RawResponse::End::complete;
      } else if (!ec && data.size() >= max_bytes) {
        res.end = RawResponse::End::max_bytes;
      } else if (ec == asio::error::eof) {
        res.end = RawResponse::End::eof;
      } else if (ec == asio::error::connection_reset) {
        res.end = RawResponse::End::reset;
      } else if (ec) {
        res.end = over_time ? RawResponse::End::bound : RawResponse::End::other;
      } else {
        return read();
      }
      timer.cancel();
    });
  };
  read();
  io.run();

  const size_t end_of_head = data.find("\r\n\r\n");
  res.head = end_of_head == std::string::npos ? data : data.substr(0, end_of_head + 4);
  res.body = end_of_head == std::string::npos ? "" : data.substr(end_of_head + 4);
  return res;
}

}  // namespace sluice::provider_test
