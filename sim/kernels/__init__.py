"""Compiled kernels (Numba): pure functions of arrays, scalars and explicit RNG keys."""
