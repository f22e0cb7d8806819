// The bodies the provider serves. Each is a pure function of (size spec, path), so a test
// can know every byte the provider sends without asking it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "provider/hash.h"
#include "provider/options.h"
#include "provider/reply.h"

namespace sluice {

// The body's length: spec.min, or a size in [min, max] picked by the path's hash.
uint64_t body_size(const SizeSpec& spec, std::string_view path);

// A PNG (signature, IHDR, ..., IEND) for paths ending in ".png", else a JPEG (SOI, JFIF
// APP0, ..., EOI), filled with pseudo-random bytes seeded by the path. Bodies shorter than
// the headers hold a prefix of them. ImageBodyStream (body_stream.h) makes the same bytes
// piece by piece.
std::string provider_body(const SizeSpec& spec, std::string_view path);
std::string provider_body(const ProviderOptions& options, std::string_view path);

// "image/png" for ".png" (any case), "image/jpeg" for everything else.
std::string_view body_content_type(std::string_view path);

// A strong ETag, quoted: a hash of the path and the body's length.
std::string body_etag(const SizeSpec& spec, std::string_view path);

// A fixed date between 2020 and 2023 picked by the path, as an HTTP date.
std::string body_last_modified(std::string_view path);

// The normal 200 for an image path: its body, content type, ETag and Last-Modified.
Reply image_reply(const SizeSpec& spec, std::string_view path);

// Whether an image path answers 404 under --share-404 `share` (by the path's hash, so the
// same paths are missing on every run).
bool answers_404(double share, std::string_view path);

}  // namespace sluice
