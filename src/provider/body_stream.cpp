#include "provider/body_stream.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "provider/body.h"
#include "provider/hash.h"

namespace sluice {
namespace {

constexpr uint64_t kFillSalt = 0x66696c6cull;

uint32_t crc32(const unsigned char* data, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

void put_be32(unsigned char* p, uint32_t v) {
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
}

template <size_t N>
std::string_view as_view(const std::array<unsigned char, N>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), N};
}

// clang-format off
// PNG signature and a complete IHDR chunk (640x480, 8-bit RGB).
std::string_view png_header() {
  static const std::array<unsigned char, 33> header = [] {
    std::array<unsigned char, 33> h = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                       0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    put_be32(&h[16], 640);
    put_be32(&h[20], 480);
    h[24] = 8;  // bit depth
    h[25] = 2;  // colour type: RGB
    put_be32(&h[29], crc32(&h[12], 17));
    return h;
  }();
  return as_view(header);
}

constexpr std::array<unsigned char, 12> kPngTrailer = {0, 0, 0, 0, 'I', 'E', 'N', 'D',
                                                       0xae, 0x42, 0x60, 0x82};

// SOI and a JFIF APP0 segment (version 1.1, 1:1 aspect, no thumbnail).
constexpr std::array<unsigned char, 20> kJpegHeader = {
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F',
    0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
constexpr std::array<unsigned char, 2> kJpegTrailer = {0xff, 0xd9};
// clang-format on

// Copies the part of `bytes` (placed at body offset `at`) that falls in `piece`, which
// starts at body offset `start`.
void overlay(std::string* piece, uint64_t start, std::string_view bytes, uint64_t at) {
  const uint64_t from = std::max(start, at);
  const uint64_t to = std::min(start + piece->size(), at + bytes.size());
  if (from >= to) return;
  std::memcpy(piece->data() + (from - start), bytes.data() + (from - at), to - from);
}

}  // namespace

ImageBodyStream::ImageBodyStream(uint64_t size, std::string_view path)
    : size_(size), state_(path_hash(path) ^ kFillSalt) {
  const bool png = body_content_type(path) == "image/png";
  header_ = png ? png_header() : as_view(kJpegHeader);
  trailer_ = png ? as_view(kPngTrailer) : as_view(kJpegTrailer);
}

std::string ImageBodyStream::next(size_t max) {
  const uint64_t start = offset_;
  std::string piece(std::min<uint64_t>(max, size_ - start), '\0');
  for (size_t i = 0; i < piece.size(); ++i) {
    const uint64_t at = start + i;
    if (at % 8 == 0) state_ = mix(state_);
    piece[i] = static_cast<char>((state_ >> (8 * (at % 8))) & 0xff);
  }
  overlay(&piece, start, header_, 0);
  if (size_ >= header_.size() + trailer_.size()) {
    overlay(&piece, start, trailer_, size_ - trailer_.size());
  }
  offset_ += piece.size();
  return piece;
}

}  // namespace sluice
