#include "util/body_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "util/temp_files.h"

namespace sluice {
namespace {

using testing::FileSizeLimit;
using testing::read_file;
using testing::TempDir;

TEST(BodyFile, KeptFileHasTheBytesWritten) {
  TempDir dir;
  BodyFile f;
  ASSERT_TRUE(f.create(dir.file("a")).ok());
  ASSERT_TRUE(f.write("hello ", 6).ok());
  ASSERT_TRUE(f.write("world", 5).ok());
  ASSERT_TRUE(f.keep().ok());
  f.discard();  // after keep: nothing to do
  EXPECT_EQ(read_file(dir.file("a")), "hello world");
}

// A kept file is 0644 whatever the umask: with 022 (most shells) as created, with 077 by a
// chmod. Each umask in a fresh process, as sluice reads its umask once.
TEST(BodyFile, KeptFileIsReadableByAllWhateverTheUmask) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{027}}) {
    TempDir dir;
    const std::string path = dir.file("a");
    EXPECT_EXIT(
        {
          ::umask(mask);
          BodyFile f;
          if (!f.create(path).ok() || !f.write("x", 1).ok() || !f.keep().ok()) std::_Exit(2);
          struct stat st;
          const int code = ::stat(path.c_str(), &st) != 0 ? 3
                           : (st.st_mode & 07777) == 0644 ? 0
                                                          : 4;
          // _Exit runs no destructors: this process's own TempDir goes by hand.
          std::error_code ec;
          std::filesystem::remove_all(std::filesystem::path(path).parent_path(), ec);
          std::_Exit(code);
        },
        ::testing::ExitedWithCode(0), "")
        << "umask 0" << std::oct << mask;
  }
}

TEST(BodyFile, DiscardAndDestructionRemoveTheFile) {
  TempDir dir;
  {
    BodyFile f;
    ASSERT_TRUE(f.create(dir.file("a")).ok());
    ASSERT_TRUE(f.write("x", 1).ok());
    f.discard();
    EXPECT_FALSE(std::filesystem::exists(dir.file("a")));
    ASSERT_TRUE(f.create(dir.file("b")).ok());
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(BodyFile, NeverOpensAnExistingFile) {
  TempDir dir;
  { std::ofstream(dir.file("a")) << "theirs"; }
  BodyFile f;
  Status s = f.create(dir.file("a"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io);
  EXPECT_NE(s.error().detail.find(dir.file("a").string()), std::string::npos);
  f.discard();
  EXPECT_EQ(read_file(dir.file("a")), "theirs");
}

TEST(BodyFile, MissingDirectoryIsALocalFault) {
  TempDir dir;
  BodyFile f;
  Status s = f.create(dir.file("no/such/dir/a"));
  EXPECT_EQ(s.error().reason, Reason::local_io);
  EXPECT_NE(s.error().detail.find("No such file or directory"), std::string::npos);
  EXPECT_FALSE(f.write("x", 1).ok());
}

// A write the kernel refuses part way (here past RLIMIT_FSIZE; a full disk looks the same
// to the writer) is a local fault naming the file; discard() removes what was written.
TEST(BodyFile, AFailedWriteIsALocalFaultNamingTheFile) {
  TempDir dir;
  BodyFile f;
  ASSERT_TRUE(f.create(dir.file("a")).ok());
  Status s;
  {
    FileSizeLimit limit(4096);
    s = f.write(std::string(64 * 1024, 'x').data(), 64 * 1024);
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io);
  EXPECT_NE(s.error().detail.find("cannot write temp file '" + dir.file("a").string() + "'"),
            std::string::npos)
      << s.error().detail;
  EXPECT_NE(s.error().detail.find("File too large"), std::string::npos) << s.error().detail;
  f.discard();
  EXPECT_EQ(dir.entries(), 0u);
}

}  // namespace
}  // namespace sluice
