#!/usr/bin/env bash
# OPS_VERSION lines (e.g. 1000000), as fast as the portal reads them.
seq -f "output line %g: lorem ipsum dolor sit amet, consectetur adipiscing elit" 1 "${OPS_VERSION%%.*}"
