package dev.quarry.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps C2, HotSpot's optimizing compiler, to the code that does the work per byte: the directives in
 * {@code compiler-directives.json} (JEP 165) leave Spark's, Scala's and Java serialization's code at C1.
 * On a conversion's two cores the C2 thread otherwise spent about a third of a core for the whole run on
 * code that runs often but briefly (serializing tasks and results, the scheduler), and the kernels
 * waited behind it for their own compilation. Added at run time through HotSpot's diagnostic command
 * MBean ({@code jcmd Compiler.directives_add}), so that every JVM gets them without a file on its host:
 * the launcher's ({@code Quarry.main}) and each executor's ({@link QuarrySparkPlugin}). A JVM without
 * that command compiles as it always does.
 */
public final class CompilerDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(CompilerDirectives.class);
  private static final String RESOURCE = "compiler-directives.json";
  private static final AtomicBoolean ADDED = new AtomicBoolean();

  private CompilerDirectives() {}

  /** Adds quarry's directives to this JVM's compilers, once. */
  public static void add() {
    if (!ADDED.compareAndSet(false, true)) {
      return;
    }
    try {
      // the command takes a file name: the directives go through a temporary file
      Path file = Files.createTempFile("quarry-compiler-directives", ".json");
      try (InputStream in = CompilerDirectives.class.getResourceAsStream(RESOURCE)) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        String answer = diagnosticCommand("compilerDirectivesAdd", file.toString());
        if (!answer.contains("added")) {
          LOG.debug("the compiler directives were not added (the JVM compiles as usual): {}", answer);
        }
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException | JMException | RuntimeException e) {
      LOG.debug("the compiler directives were not added (the JVM compiles as usual): {}", e.toString());
    }
  }

  /** What {@code jcmd <pid> Compiler.directives_print} prints for this JVM. */
  public static String printed() throws JMException {
    return diagnosticCommand("compilerDirectivesPrint");
  }

  private static String diagnosticCommand(String operation, String... arguments) throws JMException {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    Object result = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
        new Object[] {arguments}, new String[] {String[].class.getName()});
    return String.valueOf(result);
  }
}
