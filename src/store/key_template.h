// Object keys from a user's template, such as "{id}{ext}" or "{sha256:2}/{sha256}{ext}".
//
// Fields: {id} {url} {sha256} {url_sha256} {ext} {host}; "{field:N}" takes the first N
// characters (1..64), e.g. for fan-out directories. Everything else in the template is
// copied as is; '{' and '}' cannot be escaped. The default is "{id}{ext}".
//
// Substituted values never add structure to a key: each is percent-encoded as a URL path
// segment would be (RFC 3986 unreserved characters and valid, non-control UTF-8 stay;
// every other byte, '/', '\', '%' and control characters included, becomes %XX), and a
// value that is exactly "." or ".." becomes "%2E" / "%2E%2E". The encoding is one-to-one,
// so two different ids never share a key ("a/b" -> "a%2Fb", "a_b" -> "a_b"), and only the
// template's own '/' separate directories. The rendered key is then checked by
// check_object_key (object_key.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_ext.h"  // ext_for(), for the {ext} field
#include "util/error.h"

namespace sluice {

struct KeyFields {
  std::string id;          // the job's id (the URL when the input names no id)
  std::string url;         // the URL as enqueued
  std::string sha256;      // hex of the body: known only after the download
  std::string url_sha256;  // hex of url
  std::string ext;         // "" or ".jpg" ...: ext_for(content type, URL path)
  std::string host;        // the URL's host, lower case, without port
};

// Every field but sha256, from the job alone; ext from the URL path. After the download,
// set sha256 and ext = ext_for(content_type, url_path) before rendering.
KeyFields key_fields_for(const std::string& id, const std::string& url);

class KeyTemplate {
 public:
  static constexpr const char* kDefault = "{id}{ext}";

  // Errors (bad_input) name the template and the position: unknown field, unbalanced
  // brace, bad prefix length, no field that differs per job (every object would get one
  // key), literal text that cannot form a valid key (e.g. "/{id}", "../{id}", "{id}/"), or
  // leading text that puts every key in the temp folder ".sluice-tmp/{id}" (a key that lands
  // there through a field's value is refused when it is stored instead).
  static Result<KeyTemplate> parse(const std::string& tmpl);

  // The key for one job. Errors (bad_key) name the id: a field the template uses is
  // empty ({ext} may be), or the key is invalid (e.g. too long).
  Result<std::string> render(const KeyFields& fields) const;

  // The key depends on the body, so it can only be rendered after the download.
  bool needs_sha256() const { return needs_sha256_; }
  // Whether render() reads KeyFields::url_sha256 (so a caller may skip hashing the URL).
  bool needs_url_sha256() const { return needs_url_sha256_; }
  // Whether render() reads KeyFields::host.
  bool needs_host() const { return needs_host_; }

  const std::string& text() const { return text_; }

 private:
  enum class Field { none, id, url, sha256, url_sha256, ext, host };
  static constexpr Field kAllFields[] = {Field::id,         Field::url, Field::sha256,
                                         Field::url_sha256, Field::ext, Field::host};
  struct Part {
    Field field = Field::none;  // none: literal text
    std::string literal;
    size_t prefix = 0;  // 0: the whole value
  };

  KeyTemplate() = default;
  static std::string_view field_name(Field field);
  static const std::string& value_of(const KeyFields& fields, Field field);
  Result<std::string> render_parts(const KeyFields& fields) const;

  std::string text_;
  std::vector<Part> parts_;
  bool needs_sha256_ = false;
  bool needs_url_sha256_ = false;
  bool needs_host_ = false;
};

}  // namespace sluice
