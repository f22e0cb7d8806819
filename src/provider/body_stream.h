// An image body made piece by piece: byte for byte the body provider_body (body.h) gives
// for the same length and path, without ever holding it whole, so a body of any size
// streams in bounded memory (--share-oversize).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "provider/reply.h"

namespace sluice {

class ImageBodyStream final : public BodySource {
 public:
  ImageBodyStream(uint64_t size, std::string_view path);
  uint64_t size() const override { return size_; }
  std::string next(size_t max) override;

 private:
  uint64_t size_;
  uint64_t offset_ = 0;
  uint64_t state_;            // the filler generator, advanced once per 8 bytes
  std::string_view header_;   // PNG signature + IHDR, or JPEG SOI + JFIF APP0
  std::string_view trailer_;  // PNG IEND, or JPEG EOI
};

}  // namespace sluice
