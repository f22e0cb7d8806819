#include "store/folder_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "util/logger.h"
#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

class FolderStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_.path() / "store";
    auto s = FolderStore::open(root_, &log_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
  }

  // A finished temp file in the spool, as the fetcher leaves it.
  fs::path temp(const std::string& bytes) {
    fs::path p = store_->spool_dir() / ("t" + std::to_string(++temps_));
    write_file(p, bytes);
    return p;
  }

  // put() + poll(): the status of one put.
  Status put(const std::string& key, const fs::path& temp_file) {
    PutRequest req;
    req.tag = ++tag_;
    req.temp_file = temp_file;
    req.key = key;
    store_->put(req);
    EXPECT_EQ(store_->in_flight(), 1u);
    auto results = store_->poll();
    EXPECT_EQ(store_->in_flight(), 0u);
    if (results.size() != 1 || results[0].tag != tag_) {
      ADD_FAILURE() << "expected one result for tag " << tag_;
      return make_error(Reason::internal, "no result");
    }
    return results[0].status;
  }

  TempDir tmp_;
  fs::path root_;
  MemoryLogger log_;
  std::unique_ptr<FolderStore> store_;
  int temps_ = 0;
  uint64_t tag_ = 0;
};

TEST_F(FolderStoreTest, OpenCreatesRootAndSpool) {
  EXPECT_TRUE(fs::is_directory(root_));
  EXPECT_EQ(store_->spool_dir(), fs::canonical(root_) / ".sluice-tmp");
  EXPECT_TRUE(fs::is_directory(store_->spool_dir()));
  EXPECT_EQ(store_->describe(), "folder " + root_.string());
  // Opening again is fine.
  EXPECT_TRUE(FolderStore::open(root_).ok());
}

TEST_F(FolderStoreTest, PutPlacesBytesUnderKeyAndConsumesTemp) {
  std::string bytes("\x89PNG\r\n\x1a\n\0binary", 16);
  fs::path t = temp(bytes);
  ASSERT_TRUE(put("a.png", t).ok());
  EXPECT_EQ(read_file(root_ / "a.png"), bytes);
  EXPECT_FALSE(fs::exists(t));
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  // Objects are readable by others, whatever mode the temp file had.
  EXPECT_EQ(fs::status(root_ / "a.png").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
}

TEST_F(FolderStoreTest, PollReportsEachPutOnce) {
  store_->put(PutRequest{7, temp("x"), "x", "", "", 1, ""});
  store_->put(PutRequest{8, temp("y"), "y", "", "", 1, ""});
  EXPECT_EQ(store_->in_flight(), 2u);
  auto results = store_->poll();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].tag + results[1].tag, 15u);
  EXPECT_TRUE(results[0].status.ok() && results[1].status.ok());
  EXPECT_TRUE(store_->poll().empty());
}

TEST_F(FolderStoreTest, OverwriteReplacesTheFileAtomically) {
  ASSERT_TRUE(put("k.jpg", temp("old")).ok());
  // A reader holding the old object keeps seeing it whole: the new one is a new file
  // renamed over the name, never written into the old one.
  int fd = ::open((root_ / "k.jpg").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(put("k.jpg", temp("new and longer")).ok());
  char buf[32] = {};
  ASSERT_EQ(::pread(fd, buf, sizeof buf, 0), 3);
  EXPECT_EQ(std::string(buf, 3), "old");
  ::close(fd);
  EXPECT_EQ(read_file(root_ / "k.jpg"), "new and longer");
}

TEST_F(FolderStoreTest, NestedKeysCreateFolders) {
  ASSERT_TRUE(put("ab/cd/ef.jpg", temp("deep")).ok());
  EXPECT_EQ(read_file(root_ / "ab/cd/ef.jpg"), "deep");
  ASSERT_TRUE(put("ab/cd/gh.jpg", temp("sibling")).ok());
  EXPECT_EQ(read_file(root_ / "ab/cd/gh.jpg"), "sibling");
  ASSERT_TRUE(put("caf\xc3\xa9/\xe6\x97\xa5.jpg", temp("utf8")).ok());
  EXPECT_EQ(read_file(root_ / "caf\xc3\xa9/\xe6\x97\xa5.jpg"), "utf8");
}

TEST_F(FolderStoreTest, EscapingKeysAreRefusedAndTempKept) {
  for (const char* key : {"../x", "/abs", "a/../../b", "..", "a//b", "", "a/./b", "a\\b",
                          ".sluice-tmp/x", ".sluice-tmp"}) {
    fs::path t = temp("payload");
    Status st = put(key, t);
    ASSERT_FALSE(st.ok()) << key;
    EXPECT_EQ(st.error().reason, Reason::bad_key) << key;
    EXPECT_TRUE(fs::exists(t)) << key;
  }
  EXPECT_FALSE(fs::exists(tmp_.path() / "x"));
  EXPECT_FALSE(fs::exists("/abs"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "b"));
}

TEST_F(FolderStoreTest, SymlinkedFolderPointingOutsideIsRefused) {
  fs::path outside = tmp_.path() / "outside";
  fs::create_directory(outside);
  fs::create_directory_symlink(outside, root_ / "link");
  fs::path t = temp("payload");
  Status st = put("link/x.jpg", t);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, Reason::store_denied);
  EXPECT_NE(st.error().detail.find("symbolic link"), std::string::npos) << st.error().detail;
  EXPECT_FALSE(fs::exists(outside / "x.jpg"));
  EXPECT_TRUE(fs::exists(t));
  // Deeper too.
  fs::create_directory(root_ / "a");
  fs::create_directory_symlink(outside, root_ / "a" / "b");
  EXPECT_FALSE(put("a/b/c/x.jpg", temp("p")).ok());
  EXPECT_FALSE(fs::exists(outside / "c"));
}

TEST_F(FolderStoreTest, SymlinkedFolderInsideRootIsRefusedToo) {
  fs::create_directory(root_ / "real");
  fs::create_directory_symlink(root_ / "real", root_ / "alias");
  Status st = put("alias/x.jpg", temp("p"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, Reason::store_denied);
}

TEST_F(FolderStoreTest, SymlinkAtTheKeyIsReplacedNotFollowed) {
  fs::path victim = tmp_.path() / "victim";
  write_file(victim, "precious");
  fs::create_symlink(victim, root_ / "evil.jpg");
  ASSERT_TRUE(put("evil.jpg", temp("object")).ok());
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(root_ / "evil.jpg"));
  EXPECT_EQ(read_file(root_ / "evil.jpg"), "object");
}

TEST_F(FolderStoreTest, KeyCollidingWithFolderOrFileIsRefused) {
  fs::create_directories(root_ / "dir" / "sub");
  fs::path t = temp("p");
  Status st = put("dir", t);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, Reason::bad_key);
  EXPECT_NE(st.error().detail.find("collides with the folder"), std::string::npos);
  EXPECT_TRUE(fs::exists(t));
  EXPECT_TRUE(fs::is_directory(root_ / "dir" / "sub"));

  ASSERT_TRUE(put("file", temp("f")).ok());
  st = put("file/x", t);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, Reason::bad_key);
  EXPECT_NE(st.error().detail.find("it is a file"), std::string::npos) << st.error().detail;
  EXPECT_EQ(read_file(root_ / "file"), "f");
}

TEST_F(FolderStoreTest, MissingTempFileIsIo) {
  Status st = put("x", store_->spool_dir() / "never-written");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().reason, Reason::io);
  EXPECT_NE(st.error().detail.find("never-written"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "x"));
}

TEST_F(FolderStoreTest, CleanSpoolRemovesLeftoversOnly) {
  ASSERT_TRUE(put("keep.jpg", temp("object")).ok());
  temp("leftover 1");
  temp("leftover 2");
  fs::create_directories(store_->spool_dir() / "sub" / "deeper");
  write_file(store_->spool_dir() / "sub" / "deeper" / "f", "x");
  fs::path outside = tmp_.path() / "outside";
  fs::create_directory(outside);
  write_file(outside / "precious", "p");
  fs::create_directory_symlink(outside, store_->spool_dir() / "link");

  auto removed = store_->remove_spool_files();
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(*removed, 4u);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  EXPECT_EQ(read_file(root_ / "keep.jpg"), "object");
  EXPECT_EQ(read_file(outside / "precious"), "p");  // links are removed, not followed

  temp("one more");
  ASSERT_TRUE(store_->clean_spool().ok());
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  auto lines = log_.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("removed 1 leftover"), std::string::npos) << lines[0];
  ASSERT_TRUE(store_->clean_spool().ok());
  EXPECT_EQ(log_.lines().size(), 1u);  // nothing to say when nothing was left
}

TEST(FolderStoreOpen, RootThatIsAFileIsStoreIo) {
  TempDir tmp;
  write_file(tmp.path() / "file", "x");
  auto s = FolderStore::open(tmp.path() / "file");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::store_io);
  EXPECT_NE(s.error().detail.find((tmp.path() / "file").string()), std::string::npos)
      << s.error().detail;
}

TEST(FolderStoreOpen, SpoolThatIsASymlinkIsRefused) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "root");
  fs::create_directories(tmp.path() / "elsewhere");
  fs::create_directory_symlink(tmp.path() / "elsewhere", tmp.path() / "root" / ".sluice-tmp");
  auto s = FolderStore::open(tmp.path() / "root");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::store_denied);
  EXPECT_NE(s.error().detail.find("symbolic link"), std::string::npos) << s.error().detail;
}

TEST(FolderStoreOpen, RootThroughASymlinkIsResolved) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "real");
  fs::create_directory_symlink(tmp.path() / "real", tmp.path() / "via");
  auto s = FolderStore::open(tmp.path() / "via");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ((*s)->canonical_root(), fs::canonical(tmp.path() / "real"));
  EXPECT_EQ((*s)->describe(), "folder " + (tmp.path() / "via").string());
}

}  // namespace
}  // namespace sluice
