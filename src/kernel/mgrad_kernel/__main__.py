"""python3 -m mgrad_kernel -f CONNECTION_FILE: what `mgrad jupyter kernel` runs for Jupyter."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import MgradKernel

IPKernelApp.launch_instance(kernel_class=MgradKernel)
