#include "fetch/content_check.h"

#include <gtest/gtest.h>

namespace sluice {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace content_check_test {

const std::string kJpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11);
const std::string kPng("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);

TEST(SniffImage, KnowsTheImageFormats) {
  EXPECT_EQ(sniff_image(kJpeg), "jpeg");
  EXPECT_EQ(sniff_image(kPng), "png");
  EXPECT_EQ(sniff_image("GIF89a...."), "gif");
  EXPECT_EQ(sniff_image("GIF87a...."), "gif");
  EXPECT_EQ(sniff_image(std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16)), "webp");
  EXPECT_EQ(sniff_image(std::string("\x00\x00\x00\x1C"
                                    "ftypavif",
                                    12)),
            "avif");
  EXPECT_EQ(sniff_image(std::string("\x00\x00\x00\x18"
                                    "ftypheic",
                                    12)),
            "heic");
  EXPECT_EQ(sniff_image(std::string("\x00\x00\x00\x18"
                                    "ftypmp42",
                                    12)),
            "");  // a video
  EXPECT_EQ(sniff_image("BM\x36\x00"), "bmp");
  EXPECT_EQ(sniff_image(std::string("II*\0", 4)), "tiff");
  EXPECT_EQ(sniff_image("  <svg xmlns='http://www.w3.org/2000/svg'>"), "svg");
  EXPECT_EQ(sniff_image("<?xml version='1.0'?><svg>"), "svg");
  EXPECT_EQ(sniff_image("<!DOCTYPE html><html>"), "");
  EXPECT_EQ(sniff_image(""), "");
}

TEST(CheckContent, AcceptsImagesByTypeAndBytes) {
  ContentPolicy p;
  EXPECT_TRUE(check_content(p, "image/jpeg", kJpeg, "u").ok());
  EXPECT_TRUE(check_content(p, "IMAGE/PNG; charset=binary", kPng, "u").ok());
  EXPECT_TRUE(check_content(p, "", kPng, "u").ok());  // no header: the bytes decide
}

TEST(CheckContent, RefusesTheWrongTypeOrBytes) {
  ContentPolicy p;
  Status html = check_content(p, "text/html", "<html>", "http://x/a.jpg");
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.error().reason, Reason::not_image);
  EXPECT_NE(html.error().detail.find("text/html"), std::string::npos);
  EXPECT_NE(html.error().detail.find("http://x/a.jpg"), std::string::npos);
  Status lying = check_content(p, "image/jpeg", "<html><body>", "u");
  ASSERT_FALSE(lying.ok());
  EXPECT_EQ(lying.error().reason, Reason::not_image);
  EXPECT_NE(lying.error().detail.find("3c68746d"), std::string::npos);  // "<htm" in hex
}

TEST(CheckContent, SvgOnlyWhenAllowed) {
  ContentPolicy p;
  EXPECT_FALSE(check_content(p, "image/svg+xml", "<svg></svg>", "u").ok());
  p.allow_svg = true;
  EXPECT_TRUE(check_content(p, "image/svg+xml", "<svg></svg>", "u").ok());
}

TEST(CheckContent, AcceptListAndMagicSwitch) {
  ContentPolicy p;
  p.accept = {"image/png"};
  EXPECT_FALSE(check_content(p, "image/jpeg", kJpeg, "u").ok());
  EXPECT_TRUE(check_content(p, "image/png", kPng, "u").ok());
  p.accept = {};
  p.check_magic = false;
  EXPECT_TRUE(check_content(p, "application/octet-stream", "anything", "u").ok());
}

}  // namespace content_check_test
}  // namespace sluice
