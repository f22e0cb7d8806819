// The little XML the S3 store reads and writes. S3's replies are flat and their fields
// unique (<Error><Code>..</Code>, <UploadId>..</UploadId>), so reading is "the text of the
// first <Name> element", entities decoded; this is deliberately not a general XML parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

// The text of the first <name>...</name> (or <name attr="..">...</name>), with the five
// predefined entities and numeric character references decoded; nullopt if absent.
std::optional<std::string> xml_text(std::string_view body, std::string_view name);

// Escapes & < > " ' for element text.
std::string xml_escape(std::string_view s);

// <CompleteMultipartUpload> with one <Part> per (part number, ETag as returned).
std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts);

}  // namespace sluice
