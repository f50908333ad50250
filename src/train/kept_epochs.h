// The weights `train --keep-epochs` keeps of each epoch: RUN/epochs/epoch_NNN.pt.
#pragma once

#include <string>
#include <vector>

namespace pianokpm {

// The last `count` kept epochs of a run folder, oldest first. Throws InputError naming the folder
// when it has no epochs/ (a run trained without --keep-epochs) or fewer than `count` epoch files.
std::vector<std::string> last_kept_epochs(const std::string& run, int count);

}  // namespace pianokpm
