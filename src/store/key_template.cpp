#include "store/key_template.h"

#include <string_view>
#include <utility>

#include "store/file_ext.h"
#include "store/folder_store.h"  // FolderStore::kSpoolName
#include "store/object_key.h"
#include "util/sha256.h"
#include "util/url.h"

namespace sluice {
namespace {

constexpr size_t kMaxPrefix = 64;

bool is_unreserved(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_percent(std::string* out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0x0f]);
}

// One-to-one: '%' is always encoded, so every "%XX" in the result stands for one byte.
std::string encode_value(std::string_view value) {
  if (value == ".") return "%2E";
  if (value == "..") return "%2E%2E";
  std::string out;
  for (size_t i = 0; i < value.size();) {
    auto c = static_cast<unsigned char>(value[i]);
    size_t len = utf8_sequence_length(value, i);
    if (len == 1 && is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else if (len > 1 && !is_c1_control(value, i, len)) {
      out.append(value.substr(i, len));
    } else {
      if (len == 0) len = 1;
      for (size_t k = 0; k < len; ++k) {
        append_percent(&out, static_cast<unsigned char>(value[i + k]));
      }
    }
    i += len;
  }
  return out;
}

// The first n characters (UTF-8 code points; a stray byte counts as one).
std::string_view prefix_chars(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t count = 0; i < s.size() && count < n; ++count) {
    size_t len = utf8_sequence_length(s, i);
    i += len == 0 ? 1 : len;
  }
  return s.substr(0, i);
}

Error template_error(const std::string& tmpl, const std::string& why) {
  return make_error(Reason::bad_input, "key template '" + printable(tmpl) + "': " + why);
}

}  // namespace

KeyFields key_fields_for(const std::string& id, const std::string& url) {
  KeyFields f;
  f.id = id;
  f.url = url;
  f.url_sha256 = sha256_hex(url);
  if (auto parts = parse_url(url); parts.ok()) {
    f.host = parts->host;
    f.ext = ext_for("", parts->path);
  }
  return f;
}

std::string_view KeyTemplate::field_name(Field field) {
  switch (field) {
    case Field::id:
      return "id";
    case Field::url:
      return "url";
    case Field::sha256:
      return "sha256";
    case Field::url_sha256:
      return "url_sha256";
    case Field::ext:
      return "ext";
    case Field::host:
      return "host";
    case Field::none:
      break;
  }
  return "";
}

const std::string& KeyTemplate::value_of(const KeyFields& fields, Field field) {
  static const std::string kEmpty;
  switch (field) {
    case Field::id:
      return fields.id;
    case Field::url:
      return fields.url;
    case Field::sha256:
      return fields.sha256;
    case Field::url_sha256:
      return fields.url_sha256;
    case Field::ext:
      return fields.ext;
    case Field::host:
      return fields.host;
    case Field::none:
      break;
  }
  return kEmpty;
}

Result<KeyTemplate> KeyTemplate::parse(const std::string& tmpl) {
  if (tmpl.empty()) return template_error(tmpl, "empty");
  KeyTemplate t;
  t.text_ = tmpl;
  bool per_job = false;  // a field that differs per job, taken whole
  std::string literal;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '}') {
      return template_error(tmpl, "'}' without '{' at position " + std::to_string(i));
    }
    if (tmpl[i] != '{') {
      literal.push_back(tmpl[i]);
      continue;
    }
    size_t close = tmpl.find_first_of("{}", i + 1);
    if (close == std::string::npos || tmpl[close] != '}') {
      return template_error(tmpl, "'{' at position " + std::to_string(i) + " is not closed");
    }
    std::string_view spec = std::string_view(tmpl).substr(i + 1, close - i - 1);
    std::string_view name = spec.substr(0, spec.find(':'));
    Part part;
    for (Field f : kAllFields) {
      if (name == field_name(f)) part.field = f;
    }
    if (part.field == Field::none) {
      return template_error(tmpl, "unknown field '{" + std::string(spec) + "}' at position " +
                                      std::to_string(i) +
                                      " (fields: id, url, sha256, url_sha256, ext, host)");
    }
    if (name.size() < spec.size()) {
      std::string_view digits = spec.substr(name.size() + 1);
      size_t n = 0;
      bool ok = !digits.empty() && digits.size() <= 2;
      for (char c : digits) {
        ok = ok && c >= '0' && c <= '9';
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (!ok || n < 1 || n > kMaxPrefix) {
        return template_error(tmpl, "bad prefix length in '{" + std::string(spec) +
                                        "}' at position " + std::to_string(i) + " (1 to " +
                                        std::to_string(kMaxPrefix) + ")");
      }
      part.prefix = n;
    }
    if (part.prefix == 0 && (part.field == Field::id || part.field == Field::url ||
                             part.field == Field::sha256 || part.field == Field::url_sha256)) {
      per_job = true;
    }
    if (part.field == Field::sha256) t.needs_sha256_ = true;
    if (part.field == Field::url_sha256) t.needs_url_sha256_ = true;
    if (part.field == Field::host) t.needs_host_ = true;
    if (!literal.empty()) t.parts_.push_back(Part{Field::none, std::move(literal), 0});
    literal.clear();
    t.parts_.push_back(std::move(part));
    i = close;
  }
  if (!literal.empty()) t.parts_.push_back(Part{Field::none, std::move(literal), 0});
  if (!per_job) {
    return template_error(tmpl,
                          "no field differs per job, so every object would get the same key: "
                          "use {id}, {url_sha256}, {sha256} or {url} (without a prefix length)");
  }
  // Keys whose first segment is the folder store's temp folder are refused when each job is
  // stored; a template whose own leading text puts every key there is refused now.
  if (t.parts_.front().field == Field::none) {
    std::string_view lead = t.parts_.front().literal;
    size_t slash = lead.find('/');
    if (slash != std::string_view::npos && lead.substr(0, slash) == FolderStore::kSpoolName) {
      return template_error(tmpl, "every key would be inside '" +
                                      std::string(FolderStore::kSpoolName) +
                                      "/', the folder sluice keeps its temp files in; choose "
                                      "another folder");
    }
  }
  // The literal text must make a valid key with any values, the empty {ext} included.
  KeyFields sample{"id", "url", std::string(64, '0'), std::string(64, '0'), ".jpg", "host"};
  for (const char* ext : {".jpg", ""}) {
    sample.ext = ext;
    auto key = t.render_parts(sample);
    if (!key.ok()) return template_error(tmpl, key.error().detail);
    if (auto st = check_object_key(*key); !st.ok()) {
      return template_error(tmpl, st.error().detail);
    }
  }
  return t;
}

Result<std::string> KeyTemplate::render_parts(const KeyFields& fields) const {
  std::string key;
  for (const Part& part : parts_) {
    if (part.field == Field::none) {
      key += part.literal;
      continue;
    }
    std::string_view value = value_of(fields, part.field);
    if (value.empty() && part.field != Field::ext) {
      return make_error(Reason::bad_key,
                        part.field == Field::sha256
                            ? std::string("{sha256} is not known yet (render after the download)")
                            : "{" + std::string(field_name(part.field)) + "} is empty");
    }
    if (part.prefix > 0) value = prefix_chars(value, part.prefix);
    key += encode_value(value);
  }
  return key;
}

Result<std::string> KeyTemplate::render(const KeyFields& fields) const {
  auto fail = [&](const std::string& why) -> Error {
    return make_error(Reason::bad_key, "no key for id '" + printable(fields.id) +
                                           "' from template '" + printable(text_) + "': " + why);
  };
  auto key = render_parts(fields);
  if (!key.ok()) return fail(key.error().detail);
  if (auto st = check_object_key(*key); !st.ok()) return fail(st.error().detail);
  return key;
}

}  // namespace sluice
