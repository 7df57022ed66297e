"""Sparse matrix-times-dense products on several cores.

scipy's sparse products release the GIL, so cutting a CSR matrix into row blocks and
multiplying the blocks in threads uses every core. The cut depends only on the matrix (a fixed
number of blocks of about equal non-zeros), never on how many cores the machine has, so the
floating-point sums, and with them every result, are the same on every machine.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["RowBlocks"]

FloatArray = npt.NDArray[np.float64]

# A fixed block count keeps sums machine-independent; four blocks serve up to four cores.
BLOCKS = 4
# Below this many stored entries one thread is faster than the thread hand-off.
PARALLEL_FROM_NNZ = 1_000_000


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return ThreadPoolExecutor(max_workers=max(1, min(BLOCKS, cores or 1)))


def _transposed(matrix: sp.csr_array) -> sp.csc_array:
    """The transpose as a CSC array sharing the CSR arrays.

    ``matrix.T`` would do the same through the constructor, which copies arrays that are
    slices of larger ones (all our blocks are).
    """
    view = sp.csc_array((matrix.shape[1], matrix.shape[0]), dtype=matrix.dtype)
    view.indptr = matrix.indptr
    view.indices = matrix.indices
    view.data = matrix.data
    return view


class RowBlocks:
    """A CSR matrix cut into row blocks that share its arrays (no copy of the entries)."""

    def __init__(self, matrix: sp.csr_array) -> None:
        self.matrix = matrix
        self.shape: tuple[int, int] = (int(matrix.shape[0]), int(matrix.shape[1]))
        n_rows = self.shape[0]
        if matrix.nnz < PARALLEL_FROM_NNZ or n_rows < BLOCKS:
            self.bounds = [0, n_rows]
            self.blocks = [matrix]
            self.transposed = [_transposed(matrix)]
            return
        targets = np.arange(1, BLOCKS) * (matrix.nnz / BLOCKS)
        cuts = np.searchsorted(matrix.indptr, targets).tolist()
        self.bounds = sorted({0, *(int(c) for c in cuts), n_rows})
        self.blocks = []
        for start, stop in zip(self.bounds[:-1], self.bounds[1:], strict=True):
            lo, hi = matrix.indptr[start], matrix.indptr[stop]
            # Assigned rather than passed to the constructor, which would copy the slices.
            block = sp.csr_array((stop - start, self.shape[1]), dtype=matrix.dtype)
            block.indptr = matrix.indptr[start : stop + 1] - lo
            block.indices = matrix.indices[lo:hi]
            block.data = matrix.data[lo:hi]
            self.blocks.append(block)
        self.transposed = [_transposed(block) for block in self.blocks]

    def matmul(self, dense: FloatArray) -> FloatArray:
        """``matrix @ dense``."""
        if len(self.blocks) == 1:
            return np.asarray(self.blocks[0] @ dense, dtype=np.float64)
        parts = list(_pool().map(lambda block: block @ dense, self.blocks))
        return np.asarray(np.concatenate(parts, axis=0), dtype=np.float64)

    def rmatmul(self, dense: FloatArray) -> FloatArray:
        """``matrix.T @ dense``, summed block by block in a fixed order."""
        if len(self.blocks) == 1:
            return np.asarray(self.transposed[0] @ dense, dtype=np.float64)
        slices = [
            dense[start:stop] for start, stop in zip(self.bounds[:-1], self.bounds[1:], strict=True)
        ]
        parts = list(
            _pool().map(lambda pair: pair[0] @ pair[1], zip(self.transposed, slices, strict=True))
        )
        total = parts[0].copy()
        for part in parts[1:]:
            total += part
        return np.asarray(total, dtype=np.float64)
