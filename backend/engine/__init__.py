"""Pure accounting engine: stdlib only, no I/O, no clock, no logging side effects.

Everything here is a deterministic function of its inputs so that a run can be
reproduced byte for byte (see ``ENGINE_VERSION`` and the inputs hash on results).
"""

ENGINE_VERSION = "0.1.0"
