#pragma once
// A file mapped read-only into memory, so that a large array file is not first copied into a
// string: its pages come from the page cache as the parser reads them, and the parts already
// copied into a tensor can be handed back (release) so that they stop counting as this process's
// memory. Reading a 1.3 GB keystroke file then peaks at one copy of the array instead of three.
#include <torch/torch.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace pianokpm {

// Tells the owner of a byte buffer that [offset, offset + length) will not be read again.
using ReleaseRange = std::function<void(size_t offset, size_t length)>;

class MappedFile {
 public:
  // InputError naming `path` when it is missing, a directory or cannot be mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {data_, size_}; }
  // Drops the whole pages inside the range from this process's resident memory.
  void release(size_t offset, size_t length) const;
  ReleaseRange releaser() const {
    return [this](size_t offset, size_t length) { release(offset, length); };
  }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// A uint8 tensor holding a copy of `data`, which starts at `offset` of a released-as-read buffer:
// copied in chunks, each released once copied (release may be empty).
torch::Tensor copy_to_byte_tensor(std::string_view data, size_t offset, const ReleaseRange& release);

}  // namespace pianokpm
