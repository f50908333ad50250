#pragma once
// Passwords and session tokens of `pianokpm serve` (libsodium).
// Passwords are kept only as argon2id strings (salt and cost inside, crypto_pwhash_str); tokens are
// 32 random bytes shown once to their owner as 64 hex digits and kept only as their BLAKE2b digest,
// so a copy of the database lets no one log in or act as a logged-in user.
#include <string>

namespace pianokpm::remote {

struct PasswordCost {
  unsigned long long ops = 2;      // argon2id passes (libsodium's "interactive" level)
  size_t memory_bytes = 64 << 20;  // memory per hash: what makes guessing expensive on GPUs
  void check() const;
};

// At least this many characters (bytes) and at most 1024; std::invalid_argument otherwise.
constexpr size_t kMinPasswordLength = 10;
std::string hash_password(const std::string& password, const PasswordCost& cost = {});
// Constant-time in the password; false for a malformed stored string.
bool verify_password(const std::string& stored, const std::string& password);

std::string new_token();                             // 64 lowercase hex digits
std::string token_digest(const std::string& token);  // 64 hex digits; "" when not a well-formed token
std::string random_hex(size_t bytes);

}  // namespace pianokpm::remote
