#include "model/model_factory.h"

#include <stdexcept>

#include "model/baselines/codetalker.h"
#include "model/baselines/linear_readout.h"
#include "model/baselines/mean_emg.h"
#include "model/baselines/neuropose.h"
#include "model/baselines/pose_tcn.h"
#include "model/pianokpm_net.h"

namespace pianokpm {

EmgModel make_model(const ModelConfig& config) {
  switch (config.architecture) {
    case Architecture::kPianoKpm: return std::make_shared<PianoKpmNetImpl>(config);
    case Architecture::kLinearReadout: return std::make_shared<LinearReadoutNetImpl>(config);
    case Architecture::kNeuroPose: return std::make_shared<NeuroPoseNetImpl>(config);
    case Architecture::kMean: return std::make_shared<MeanEmgImpl>(config);
    case Architecture::kCodeTalker: return std::make_shared<CodeTalkerNetImpl>(config);
    case Architecture::kPoseTcn: return std::make_shared<PoseTcnNetImpl>(config);
  }
  throw std::invalid_argument("model config: unknown architecture");
}

}  // namespace pianokpm
