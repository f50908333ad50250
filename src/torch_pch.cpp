// Compiles <torch/torch.h> once into the precompiled header that every target reuses
// (PIANOKPM_PRECOMPILE_TORCH in the top-level CMakeLists.txt); this file holds no code.
