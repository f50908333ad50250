#pragma once
// EDF, EDF+, BDF, GDF and the other formats of libbiosig: every data channel in physical units at
// its own rate (annotation channels become events in libbiosig and are not returned).
#include "io/signal_recording.h"

namespace pianokpm {

// Throws InputError naming `path` when libbiosig cannot open or read it.
SignalRecording read_biosig(const std::string& path);

}  // namespace pianokpm
