#pragma once
// The parts of the `pianokpm` Python module, each bound in its own file.
#include <pybind11/pybind11.h>

namespace pianokpm::python {

namespace py = pybind11;

void bind_model(py::module_& m);       // load_model, Model, muscles
void bind_io_signal(py::module_& m);   // readers, writers, emg_envelope, midi_to_key_depth
void bind_synth_eval(py::module_& m);  // synth, metrics, analyze
#ifdef PIANOKPM_HAVE_OPENCV
void bind_pose(py::module_& m);  // HandTracker
#endif

}  // namespace pianokpm::python
