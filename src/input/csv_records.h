// One CSV record per line, RFC 4180 quoting: "quoted, fields", doubled "" for a quote.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace sluice {

// Splits one line into fields (out is cleared first). Unquoted fields are trimmed of
// spaces and tabs; quoted ones are kept as written. bad_input, with the reason in the
// detail, for a quote left open at the end of the line (a field spanning lines is not
// supported) or text after a closing quote.
Status split_csv_record(std::string_view line, std::vector<std::string>* out);

}  // namespace sluice
