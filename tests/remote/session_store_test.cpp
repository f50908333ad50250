// The server's store: append-only rows that are never lost or doubled, who may see what, tokens.
#include "remote/session_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/input_error.h"

namespace pianokpm::remote {
namespace {

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pianokpm_store_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "sessions.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // rows x 2 channels, row i holding (i, -i).
  static RowChunk rows(int64_t first, int64_t n) {
    RowChunk c;
    c.first_seq = first;
    c.rows = n;
    for (int64_t i = first; i < first + n; ++i) {
      c.data.push_back(static_cast<float>(i));
      c.data.push_back(static_cast<float>(-i));
    }
    return c;
  }
  // Every stored row in order, checked to be row i = (i, -i) with no gap or overlap.
  static int64_t check_rows(SessionStore& store, int64_t session) {
    int64_t expected = 0;
    for (const RowChunk& c : store.chunks(session, 0, 1 << 20)) {
      EXPECT_EQ(c.first_seq, expected);
      for (int64_t r = 0; r < c.rows; ++r, ++expected) {
        EXPECT_EQ(c.data[2 * r], static_cast<float>(expected));
        EXPECT_EQ(c.data[2 * r + 1], static_cast<float>(-expected));
      }
    }
    return expected;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SessionStoreTest, RowsSentTwiceOrOverlappingAreStoredOnce) {
  SessionStore store(path_);
  const User p = store.add_user("ada", Role::kPlayer, "hash");
  const SessionInfo s = store.open_session(p.id, "c1", "scales", 1024, {"a", "b"}, 100);
  EXPECT_EQ(store.append(s.id, rows(0, 10)).next_seq, 10);
  const AppendResult again = store.append(s.id, rows(0, 10));  // a retry after a lost reply
  EXPECT_EQ(again.stored_rows, 0);
  EXPECT_EQ(again.next_seq, 10);
  const AppendResult overlap = store.append(s.id, rows(5, 10));  // rows 5..14: only 10..14 are new
  EXPECT_EQ(overlap.stored_rows, 5);
  EXPECT_EQ(overlap.next_seq, 15);
  const AppendResult gap = store.append(s.id, rows(20, 3));  // rows 15..19 missing
  EXPECT_TRUE(gap.gap);
  EXPECT_EQ(gap.stored_rows, 0);
  EXPECT_EQ(gap.next_seq, 15);
  EXPECT_EQ(check_rows(store, s.id), 15);
  EXPECT_EQ(store.session(s.id)->next_seq, 15);
}

TEST_F(SessionStoreTest, ChunksAreReadFromAnyRowOn) {
  SessionStore store(path_);
  const User p = store.add_user("ada", Role::kPlayer, "hash");
  const SessionInfo s = store.open_session(p.id, "c1", "", 1024, {"a", "b"}, 100);
  for (int64_t first = 0; first < 100; first += 10) store.append(s.id, rows(first, 10));
  const auto part = store.chunks(s.id, 35, 20);  // rows 35..54 lie in the chunks at 30, 40 and 50
  ASSERT_EQ(part.size(), 3u);
  EXPECT_EQ(part.front().first_seq, 30);
  EXPECT_EQ(part.back().first_seq, 50);
  EXPECT_TRUE(store.chunks(s.id, 100, 10).empty());
}

TEST_F(SessionStoreTest, ReopeningTheDatabaseKeepsEverythingAndTheSessionResumes) {
  int64_t session = 0, player = 0;
  {
    SessionStore store(path_);
    player = store.add_user("ada", Role::kPlayer, "hash").id;
    session = store.open_session(player, "c1", "scales", 1024, {"a", "b"}, 100).id;
    store.append(session, rows(0, 7));
  }
  SessionStore store(path_);
  const SessionInfo resumed = store.open_session(player, "c1", "ignored", 1024, {"a", "b"}, 200);
  EXPECT_EQ(resumed.id, session);
  EXPECT_EQ(resumed.next_seq, 7);
  EXPECT_EQ(resumed.title, "scales");
  store.append(session, rows(7, 3));
  EXPECT_EQ(check_rows(store, session), 10);
}

TEST_F(SessionStoreTest, ViewersSeeOnlyTheSessionsOfPlayersWhoGrantedThem) {
  SessionStore store(path_);
  const User ada = store.add_user("ada", Role::kPlayer, "h"), bo = store.add_user("bo", Role::kPlayer, "h");
  const User teacher = store.add_user("teacher", Role::kViewer, "h"), other = store.add_user("other", Role::kViewer, "h");
  const User admin = store.add_user("root", Role::kAdmin, "h");
  const SessionInfo a = store.open_session(ada.id, "x", "", 1024, {"a"}, 1);
  const SessionInfo b = store.open_session(bo.id, "x", "", 1024, {"a"}, 2);
  store.grant(ada.id, teacher.id);
  EXPECT_TRUE(store.may_view(teacher, a));
  EXPECT_FALSE(store.may_view(teacher, b));
  EXPECT_FALSE(store.may_view(other, a));
  EXPECT_FALSE(store.may_view(bo, a));  // another player
  EXPECT_TRUE(store.may_view(ada, a));
  EXPECT_TRUE(store.may_view(admin, b));
  ASSERT_EQ(store.sessions_visible_to(teacher).size(), 1u);
  EXPECT_EQ(store.sessions_visible_to(teacher)[0].id, a.id);
  EXPECT_EQ(store.sessions_visible_to(admin).size(), 2u);
  EXPECT_TRUE(store.sessions_visible_to(other).empty());
  store.revoke(ada.id, teacher.id);
  EXPECT_FALSE(store.may_view(teacher, a));
}

TEST_F(SessionStoreTest, TokensExpireAndEndWithANewPassword) {
  SessionStore store(path_);
  const User ada = store.add_user("ada", Role::kPlayer, "h");
  store.add_token("d1", ada.id, 1000);
  ASSERT_TRUE(store.user_for_token("d1", 999).has_value());
  EXPECT_EQ(store.user_for_token("d1", 999)->name, "ada");
  EXPECT_FALSE(store.user_for_token("d1", 1000).has_value());  // expired (and purged)
  EXPECT_FALSE(store.user_for_token("d1", 10).has_value());
  store.add_token("d2", ada.id, 5000);
  store.set_password("ada", "h2");
  EXPECT_FALSE(store.user_for_token("d2", 10).has_value());
  EXPECT_FALSE(store.user_for_token("", 10).has_value());
}

TEST_F(SessionStoreTest, NamesAreCheckedAndUnique) {
  SessionStore store(path_);
  store.add_user("ada", Role::kPlayer, "h");
  EXPECT_THROW(store.add_user("ada", Role::kViewer, "h"), InputError);
  EXPECT_THROW(store.add_user("a/b", Role::kViewer, "h"), InputError);
  EXPECT_THROW(store.add_user("", Role::kViewer, "h"), InputError);
  EXPECT_THROW(store.add_user(std::string(65, 'a'), Role::kViewer, "h"), InputError);
  EXPECT_THROW(parse_role("root"), std::invalid_argument);
}

TEST_F(SessionStoreTest, ANonDatabaseFileIsRefusedNamingIt) {
  {
    std::ofstream f(path_);
    f << "not a database, just text that is long enough to look like a header to someone";
  }
  try {
    SessionStore store(path_);
    FAIL() << "opened a text file";
  } catch (const InputError& e) {
    EXPECT_EQ(e.source(), path_);
  }
}

}  // namespace
}  // namespace pianokpm::remote
