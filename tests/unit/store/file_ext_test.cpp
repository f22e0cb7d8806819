#include "store/file_ext.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ExtFor, ImageContentTypes) {
  EXPECT_EQ(ext_for("image/jpeg", ""), ".jpg");
  EXPECT_EQ(ext_for("image/pjpeg", ""), ".jpg");
  EXPECT_EQ(ext_for("image/png", ""), ".png");
  EXPECT_EQ(ext_for("image/gif", ""), ".gif");
  EXPECT_EQ(ext_for("image/webp", ""), ".webp");
  EXPECT_EQ(ext_for("image/avif", ""), ".avif");
  EXPECT_EQ(ext_for("image/heic", ""), ".heic");
  EXPECT_EQ(ext_for("image/svg+xml", ""), ".svg");
  EXPECT_EQ(ext_for("image/bmp", ""), ".bmp");
  EXPECT_EQ(ext_for("image/tiff", ""), ".tiff");
}

TEST(ExtFor, ContentTypeCaseAndParametersIgnored) {
  EXPECT_EQ(ext_for("IMAGE/JPEG", ""), ".jpg");
  EXPECT_EQ(ext_for("image/svg+xml; charset=utf-8", ""), ".svg");
  EXPECT_EQ(ext_for("  image/png ;q=1", ""), ".png");
}

TEST(ExtFor, ContentTypeWinsOverUrl) { EXPECT_EQ(ext_for("image/png", "/a/b.jpg"), ".png"); }

TEST(ExtFor, FallsBackToUrlPath) {
  EXPECT_EQ(ext_for("application/octet-stream", "/a/b.JPG"), ".jpg");
  EXPECT_EQ(ext_for("", "/a/b.jpeg"), ".jpeg");
  EXPECT_EQ(ext_for("", "/a.dir/b.webp"), ".webp");
  EXPECT_EQ(ext_for("", "/a/b.tar.gz"), ".gz");
  EXPECT_EQ(ext_for("", "/img.png?w=100"), ".png");
  EXPECT_EQ(ext_for("", "b.png"), ".png");
}

TEST(ExtFor, EmptyWhenNothingFits) {
  EXPECT_EQ(ext_for("", ""), "");
  EXPECT_EQ(ext_for("text/html", "/"), "");
  EXPECT_EQ(ext_for("", "/a.dir/b"), "");
  EXPECT_EQ(ext_for("", "/a/.hidden"), "");
  EXPECT_EQ(ext_for("", "/a/b."), "");
  EXPECT_EQ(ext_for("", "/a/b.toolong"), "");
  EXPECT_EQ(ext_for("", "/a/b.p%2Fg"), "");
  EXPECT_EQ(ext_for("", "/a/b.j-g"), "");
  EXPECT_EQ(ext_for("", "/a/b.\xc3\xa9"), "");
  EXPECT_EQ(ext_for("image/x-unknown", "/a/b"), "");
}

}  // namespace
}  // namespace sluice
