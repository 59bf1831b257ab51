package dev.quarry.kernels;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the kernels once per JVM, as Apache Lucene's {@code VectorizationProvider} does: the
 * Vector API implementation when it can be fast here, else the scalar reference with a warning
 * that names the reason and the fix. The choice and its reason are logged at INFO.
 *
 * <p>The Vector API is used when the {@code jdk.incubator.vector} module is readable, the VM is
 * HotSpot with the C2 compiler on (without C2 the Vector API runs as slow Java objects), and the
 * CPU's preferred vectors are at least 256 bits wide. System property
 * {@value #PROPERTY}{@code =scalar|vector} forces a choice (tests use it); forcing {@code vector}
 * still needs the module.
 */
public final class Kernels {
  /** The system property that forces the implementation. */
  public static final String PROPERTY = "quarry.kernels";

  private static final Logger LOG = System.getLogger(Kernels.class.getName());
  private static final String VECTOR_MODULE = "jdk.incubator.vector";
  private static final String VECTOR_IMPLEMENTATION = "dev.quarry.kernels.vector.VectorKernelSupport";
  private static final KernelSupport SCALAR = new ScalarKernelSupport();

  private Kernels() {}

  /** The implementation picked for this JVM (decided on first use). */
  public static KernelSupport get() {
    return Holder.INSTANCE;
  }

  /** The scalar reference, always available. */
  public static KernelSupport scalar() {
    return SCALAR;
  }

  /** Lazy holder: the decision (and its log lines) happens on the first {@link #get()}. */
  private static final class Holder {
    static final KernelSupport INSTANCE = select(System.getProperty(PROPERTY));
  }

  /** The decision for a value of {@value #PROPERTY} (null: decide from the platform). */
  static KernelSupport select(String forced) {
    if (forced != null) {
      return forced(forced.trim().toLowerCase(Locale.ROOT));
    }
    Optional<String> obstacle = vectorObstacle();
    if (obstacle.isPresent()) {
      LOG.log(Level.WARNING, "quarry kernels: using the scalar kernels because " + obstacle.get());
      return SCALAR;
    }
    try {
      KernelSupport vector = createVector(false);
      LOG.log(Level.INFO, "quarry kernels: using " + vector.name() + " (Vector API readable, HotSpot C2, wide vectors)");
      return vector;
    } catch (UnsupportedOperationException e) {
      LOG.log(Level.WARNING, "quarry kernels: using the scalar kernels because " + e.getMessage());
      return SCALAR;
    }
  }

  private static KernelSupport forced(String choice) {
    switch (choice) {
      case "scalar":
        LOG.log(Level.INFO, "quarry kernels: using scalar (forced by -D" + PROPERTY + "=scalar)");
        return SCALAR;
      case "vector":
        if (!vectorModuleReadable()) {
          throw new IllegalStateException("-D" + PROPERTY + "=vector but module " + VECTOR_MODULE
              + " is not readable: pass --add-modules " + VECTOR_MODULE + " to the JVM");
        }
        KernelSupport vector = createVector(true);
        LOG.log(Level.INFO, "quarry kernels: using " + vector.name() + " (forced by -D" + PROPERTY + "=vector)");
        return vector;
      default:
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + choice + ": expected scalar or vector");
    }
  }

  /** Why the vector kernels would fail or be slow here, with the fix; empty when nothing stands in the way. */
  private static Optional<String> vectorObstacle() {
    if (!vectorModuleReadable()) {
      return Optional.of("module " + VECTOR_MODULE + " is not readable; pass --add-modules "
          + VECTOR_MODULE + " to the JVM for the Vector API kernels");
    }
    String vmName = System.getProperty("java.vm.name", "");
    if (!vmName.contains("HotSpot") && !vmName.contains("OpenJDK")) {
      return Optional.of("the VM (" + vmName + ") is not HotSpot; the Vector API is only fast on HotSpot's C2");
    }
    String vmInfo = System.getProperty("java.vm.info", "");
    if (vmInfo.contains("interpreted") || vmInfo.contains("emulated-client") || !c2Enabled()) {
      return Optional.of("the C2 compiler is off (" + vmInfo + "); drop -Xint / -XX:TieredStopAtLevel"
          + " / -client to get the Vector API kernels");
    }
    return Optional.empty();
  }

  private static boolean vectorModuleReadable() {
    Optional<Module> vector = ModuleLayer.boot().findModule(VECTOR_MODULE);
    return vector.isPresent() && Kernels.class.getModule().canRead(vector.get());
  }

  /** False when -XX:TieredStopAtLevel keeps C2 out; true when the flag cannot be read (not fatal). */
  private static boolean c2Enabled() {
    try {
      var options = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return options == null || Integer.parseInt(options.getVMOption("TieredStopAtLevel").getValue()) >= 4
          || !Boolean.parseBoolean(options.getVMOption("TieredCompilation").getValue());
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }

  /** Reflection keeps the Vector API classes unloaded unless the module is there. */
  private static KernelSupport createVector(boolean evenIfSlow) {
    try {
      return (KernelSupport) Class.forName(VECTOR_IMPLEMENTATION)
          .getMethod("create", boolean.class).invoke(null, evenIfSlow);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException("cannot create the vector kernels", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot load " + VECTOR_IMPLEMENTATION, e);
    }
  }
}
