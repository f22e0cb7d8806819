// The file name extension an object gets, for the {ext} key template field.
#pragma once

#include <string>

namespace sluice {

// ".jpg", ".png", ... for an image Content-Type (case and parameters such as
// "; charset=..." ignored). Otherwise the extension of url_path's last segment when it is
// 1 to 5 ASCII letters or digits, lower-cased (".JPEG" -> ".jpeg"). Otherwise "".
// The result is always "" or '.' followed by 1 to 5 lower-case letters or digits.
std::string ext_for(const std::string& content_type, const std::string& url_path);

}  // namespace sluice
