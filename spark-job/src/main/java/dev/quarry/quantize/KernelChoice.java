package dev.quarry.quantize;

import dev.quarry.kernels.KernelSupport;
import dev.quarry.kernels.ScalarKernelSupport;

/** The one place spark-job picks its kernels (the CLI, the demo and the tests use it). */
public final class KernelChoice {
  private KernelChoice() {}

  public static KernelSupport kernels() {
    // The scalar reference until dev.quarry.kernels.Kernels (vector selection) exists; then Kernels.get().
    return new ScalarKernelSupport();
  }
}
