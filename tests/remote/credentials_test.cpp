// Password hashes, tokens and the login limiter of `pianokpm serve`.
#include "remote/credentials.h"

#include <gtest/gtest.h>

#include <set>

#include "remote/login_limiter.h"

namespace pianokpm::remote {
namespace {

// The smallest cost libsodium allows: the tests check behaviour, not strength.
const PasswordCost kCheap{1, 8192};

TEST(Credentials, AHashVerifiesItsPasswordOnly) {
  const std::string h = hash_password("correct horse battery", kCheap);
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "correct horse battery"));
  EXPECT_FALSE(verify_password(h, "correct horse batterY"));
  EXPECT_FALSE(verify_password(h, ""));
  EXPECT_NE(h, hash_password("correct horse battery", kCheap));  // salted
  EXPECT_FALSE(verify_password("not a hash", "correct horse battery"));
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_THROW(hash_password("short", kCheap), std::invalid_argument);
}

TEST(Credentials, TokensAreRandomAndOnlyWellFormedOnesHaveADigest) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = new_token();
    ASSERT_EQ(t.size(), 64u);
    EXPECT_TRUE(seen.insert(t).second);
    const std::string d = token_digest(t);
    EXPECT_EQ(d.size(), 64u);
    EXPECT_NE(d, t);
    EXPECT_EQ(d, token_digest(t));
  }
  // BLAKE2b-256 of 64 '0's, as Python's hashlib.blake2b(b"0" * 64, digest_size=32) gives it.
  EXPECT_EQ(token_digest(std::string(64, '0')), "681df247e1ece8365db91166ed273590019df392004d2ea25543335c71bbe2d2");
  EXPECT_EQ(token_digest(""), "");
  EXPECT_EQ(token_digest(std::string(63, 'a')), "");
  EXPECT_EQ(token_digest(std::string(64, 'g')), "");
  EXPECT_EQ(token_digest(std::string(64, 'A')), "");  // tokens are lowercase
}

TEST(LoginLimiter, RefusesAfterTooManyFailuresUntilTheWindowPasses) {
  LoginLimiter limiter(LoginLimits{3, 60, 100});
  const auto t0 = LoginLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.wait_s("addr:1", t0 + std::chrono::seconds(i)), 0);
    limiter.failed("addr:1", t0 + std::chrono::seconds(i));
  }
  EXPECT_NEAR(limiter.wait_s("addr:1", t0 + std::chrono::seconds(10)), 50, 1e-6);  // the first failure leaves at 60 s
  EXPECT_EQ(limiter.wait_s("addr:2", t0 + std::chrono::seconds(10)), 0);           // others are not held
  EXPECT_EQ(limiter.wait_s("addr:1", t0 + std::chrono::seconds(60)), 0);
  limiter.succeeded("addr:1");
  EXPECT_EQ(limiter.keys(), 0u);
}

TEST(LoginLimiter, TracksAtMostMaxKeys) {
  LoginLimiter limiter(LoginLimits{2, 60, 10});
  const auto t0 = LoginLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 1000; ++i) limiter.failed("addr:" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  EXPECT_LE(limiter.keys(), 10u);
  EXPECT_THROW(LoginLimiter(LoginLimits{0, 60, 10}), std::invalid_argument);
}

}  // namespace
}  // namespace pianokpm::remote
