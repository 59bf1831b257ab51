package dev.quarry.cli;

import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.ScalarKernelSupport;

/** The one place the CLI picks its kernels. */
final class KernelChoice {
  private KernelChoice() {}

  static KernelSupport kernels() {
    // The scalar reference until dev.quarry.kernels.Kernels (vector selection) exists; then Kernels.get().
    return new ScalarKernelSupport();
  }
}
