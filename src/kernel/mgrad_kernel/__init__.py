"""The mgrad language in Jupyter: a kernel on ipykernel's wrapper-kernel API (ipykernel.kernelbase
.Kernel) that runs each cell in one mgrad.Session and shows its results, tables, pictures and
errors under the cell. `mgrad jupyter install` writes its kernelspec; see docs/jupyter.md.
"""

from .kernel import MgradKernel

__all__ = ["MgradKernel"]
