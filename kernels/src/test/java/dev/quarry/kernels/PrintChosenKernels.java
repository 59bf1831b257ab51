package dev.quarry.kernels;

/** Entry point for {@link KernelsTest}'s child JVMs: prints the name of the kernels Kernels.get() picks. */
public final class PrintChosenKernels {
  private PrintChosenKernels() {}

  public static void main(String[] args) {
    System.out.println("chosen=" + Kernels.get().name());
  }
}
