#include "remote/credentials.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace pianokpm::remote {
namespace {

void init_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium could not start");
}

std::string to_hex(const unsigned char* bytes, size_t n) {
  std::string hex(2 * n + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

constexpr size_t kTokenBytes = 32;

}  // namespace

void PasswordCost::check() const {
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX)
    throw std::invalid_argument("password cost: ops out of libsodium's range");
  if (memory_bytes < crypto_pwhash_MEMLIMIT_MIN || memory_bytes > (size_t{1} << 32))
    throw std::invalid_argument("password cost: memory_bytes out of range (8 KiB to 4 GiB)");
}

std::string hash_password(const std::string& password, const PasswordCost& cost) {
  init_sodium();
  cost.check();
  if (password.size() < kMinPasswordLength || password.size() > 1024)
    throw std::invalid_argument("password: between 10 and 1024 characters");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops, cost.memory_bytes) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(const std::string& stored, const std::string& password) {
  init_sodium();
  if (stored.size() >= crypto_pwhash_STRBYTES || password.size() > 1024) return false;
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

std::string random_hex(size_t bytes) {
  init_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return to_hex(raw.data(), raw.size());
}

std::string new_token() { return random_hex(kTokenBytes); }

std::string token_digest(const std::string& token) {
  init_sodium();
  if (token.size() != 2 * kTokenBytes) return "";
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return to_hex(digest, sizeof digest);
}

}  // namespace pianokpm::remote
