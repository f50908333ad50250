#pragma once
// Numpy dtypes and raw array buffers to tensors, shared by the .npy and pickle readers.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace pianokpm {

// `descr` is numpy's type string with or without its byte-order character ("<f4", "f8", "|u1").
// Numeric kinds only (b, i, u, f); anything else is an InputError naming `source`.
struct NumpyDtype {
  char byte_order = '<';  // '<' little, '>' big, '|' not applicable, '=' native
  char kind = 'f';        // b, i, u, f
  int item_size = 4;      // bytes

  static NumpyDtype parse(const std::string& descr, const std::string& source);
  std::string str() const;  // "<f4"
};

// Copies `data` (exactly prod(shape) items) into a new tensor of the matching torch dtype
// (unsigned types wider than one byte become int64). `fortran_order` data is reordered to C order.
torch::Tensor tensor_from_buffer(const NumpyDtype& dtype, const std::vector<int64_t>& shape, bool fortran_order, const char* data,
                                 size_t size_bytes, const std::string& source);

// The same from a uint8 tensor of exactly the array's bytes, without copying: the result shares
// its memory (byte-swapped in place where big-endian).
torch::Tensor tensor_from_bytes(const NumpyDtype& dtype, const std::vector<int64_t>& shape, bool fortran_order,
                                const torch::Tensor& bytes, const std::string& source);

// A C-contiguous CPU copy of `tensor` in a type the writers store (float32/64, int32/64; other
// types become float32) with its numpy type without byte order ("f4"); data little-endian.
struct NumpyWritable {
  torch::Tensor tensor;
  std::string kind_and_size;
};
NumpyWritable numpy_writable(const torch::Tensor& tensor);

}  // namespace pianokpm
