#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/input_error.h"

namespace pianokpm {

namespace {
constexpr size_t kCopyChunk = size_t{64} << 20;  // bytes copied between releases
}

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, errno == ENOENT ? "file not found" : std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw InputError(path, "is a directory, expected a file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      throw InputError(path, std::string("cannot map: ") + std::strerror(err));
    }
    data_ = static_cast<const char*>(p);
  }
  ::close(fd);  // the mapping keeps the file
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release(size_t offset, size_t length) const {
  if (!data_ || offset >= size_) return;
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t begin = (offset + page - 1) / page * page;  // whole pages inside the range only
  const size_t end = std::min(size_, offset + length) / page * page;
  if (end > begin) ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

torch::Tensor copy_to_byte_tensor(std::string_view data, size_t offset, const ReleaseRange& release) {
  torch::Tensor out = torch::empty({static_cast<int64_t>(data.size())}, torch::kUInt8);
  auto* dst = static_cast<char*>(out.data_ptr());
  for (size_t done = 0; done < data.size(); done += kCopyChunk) {
    const size_t n = std::min(kCopyChunk, data.size() - done);
    std::memcpy(dst + done, data.data() + done, n);
    if (release) release(offset + done, n);
  }
  return out;
}

}  // namespace pianokpm
